// Public API of @spinettai/scraper.
export { findArtistInHits, sameArtistName } from './artist-match.js';
export { writeFileAtomic } from './atomic-write.js';
export { type CleanOptions, cleanLyrics } from './clean-lyrics.js';
export {
  type CorpusFile,
  type CorpusRecord,
  corpusMarkerPath,
  markCorpusFile,
  openCorpusFile,
  parseCorpus,
} from './corpus-file.js';
export { Deduper, jaccard, normalizeTitle, shingles } from './dedupe.js';
export {
  CorpusFileError,
  GeniusAuthError,
  GeniusBlockedError,
  GeniusHttpError,
  GeniusResponseError,
  GeniusRetriesExhaustedError,
  GeniusTimeoutError,
  GeniusTooLargeError,
  isRetryable,
  ScrapeAbortedError,
  ScraperError,
  ScraperOptionsError,
} from './errors.js';
export { type ExtractResult, extractLyrics, MAX_PAGE_DEPTH } from './extract-lyrics.js';
export {
  countLines,
  countWords,
  DEFAULT_MIN_WORDS,
  isInstrumentalOnly,
  isTooShort,
  type PageInfo,
  pageSkipReason,
  type SkipReason,
  titleSkipReason,
} from './filters.js';
export {
  GeniusApi,
  type GeniusArtist,
  type GeniusSongDetails,
  type GeniusSongSummary,
} from './genius-api.js';
export {
  createHttpClient,
  DEFAULT_MAX_PAGE_BYTES,
  type HttpClient,
  type HttpClientOptions,
  type RetryInfo,
} from './http-client.js';
export { collapseBlankLines, foldForMatch, normalizeUnicode } from './normalize-text.js';
export {
  removeContributorsHeader,
  removeEmbedFooter,
  removePageJunk,
  removeReadMoreBlurb,
  removeTicketAds,
  removeTitleLyricsLine,
  removeTranslationsList,
  removeYouMightAlsoLike,
} from './page-junk.js';
export { type Progress, ProgressTracker } from './progress.js';
export { redact, redactError } from './redact.js';
export { parseRetryAfter } from './retry-after.js';
export { isLoopback, scrape, seedJson } from './scrape.js';
export {
  applySectionHeaders,
  isSectionHeader,
  type SectionHeaderMode,
  sectionMarker,
} from './section-headers.js';
export {
  type ArtistSummary,
  DEFAULT_API_URL,
  DEFAULT_ARTISTS,
  DEFAULT_USER_AGENT,
  type ScrapeEvent,
  type ScrapeOptions,
  type ScrapeSummary,
} from './types.js';
