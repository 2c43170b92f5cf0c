// Test-only entry, imported as `@spinettai/scraper/testing` inside this repository (a
// vitest alias and a tsconfig `paths` entry; it is not built or published): a fake Genius
// server on 127.0.0.1 with an invented catalogue and injectable faults, and helpers to
// run scrape() against it, for this package's tests and the CLI's end-to-end tests.
export {
  FAKE_ARTISTS,
  FAKE_SONGS,
  type FakeArtist,
  type FakeSong,
} from './test-utils/fake-catalog.js';
export { type FakeFault, faultMatches } from './test-utils/fake-faults.js';
export {
  type FakeGenius,
  type FakeGeniusOptions,
  type FakeRequest,
  startFakeGenius,
} from './test-utils/fake-genius.js';
export { renderSongPage, slugFor } from './test-utils/fake-page.js';
export {
  everythingVisible,
  FAST,
  type RunResult,
  readJsonl,
  runScrape,
  tempDir,
  withoutHeaders,
} from './test-utils/scrape-harness.js';
