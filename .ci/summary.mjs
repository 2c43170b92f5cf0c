// Prints vitest's JSON report as the closing line CI reads: `N passed, M failed`.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || !existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const failed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
const tail = skipped > 0 ? `, ${skipped} skipped` : '';
console.log(`${report.numPassedTests} passed, ${failed} failed${tail}`);
process.exit(failed > 0 || report.numTotalTests === 0 ? 1 : 0);

// A suite that failed to load counts as one failure; one whose tests failed is already counted.
function countSuitesWithFailedTests(r) {
  return r.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.some((a) => a.status === 'failed'),
  ).length;
}
