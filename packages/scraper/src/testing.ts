// Test-only entry, imported as `@spinettai/scraper/testing` inside this repository (a
// vitest alias and a tsconfig `paths` entry; it is not built or published): a fake Genius
// server on 127.0.0.1 with an invented catalogue and injectable faults, and helpers to
// run scrape() against it, for this package's tests and the CLI's end-to-end tests.
export {
  FAKE_ARTISTS,
  FAKE_SONGS,
  type FakeArtist,
  type FakeSong,
} from './test-utils/fakeCatalog.js';
export { type FakeFault, faultMatches } from './test-utils/fakeFaults.js';
export {
  type FakeGenius,
  type FakeGeniusOptions,
  type FakeRequest,
  startFakeGenius,
} from './test-utils/fakeGenius.js';
export { renderSongPage, slugFor } from './test-utils/fakePage.js';
export {
  everythingVisible,
  FAST,
  type RunResult,
  readJsonl,
  runScrape,
  tempDir,
  withoutHeaders,
} from './test-utils/scrapeHarness.js';
