// Test-only entry of @spinettai/scraper (`@spinettai/scraper/testing`): a fake Genius
// server on 127.0.0.1 with an invented catalogue and injectable faults, and helpers to
// run scrape() against it. For tests of this package and of tools built on it (the CLI's
// end-to-end test); not part of the scraping API and not meant for production code.
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
