// Public API of @spinettai/scraper.
export { findArtistInHits, sameArtistName } from './artistMatch.js';
export { writeFileAtomic } from './atomicWrite.js';
export { type CleanOptions, cleanLyrics } from './cleanLyrics.js';
export {
  type CorpusFile,
  type CorpusRecord,
  corpusMarkerPath,
  markCorpusFile,
  openCorpusFile,
  parseCorpus,
} from './corpusFile.js';
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
export { type ExtractResult, extractLyrics, MAX_PAGE_DEPTH } from './extractLyrics.js';
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
} from './geniusApi.js';
export {
  createHttpClient,
  DEFAULT_MAX_PAGE_BYTES,
  type HttpClient,
  type HttpClientOptions,
  type RetryInfo,
} from './httpClient.js';
export { collapseBlankLines, foldForMatch, normalizeUnicode } from './normalizeText.js';
export {
  removeContributorsHeader,
  removeEmbedFooter,
  removePageJunk,
  removeReadMoreBlurb,
  removeTicketAds,
  removeTitleLyricsLine,
  removeTranslationsList,
  removeYouMightAlsoLike,
} from './pageJunk.js';
export { type Progress, ProgressTracker } from './progress.js';
export { redact, redactError } from './redact.js';
export { parseRetryAfter } from './retryAfter.js';
export { isLoopback, scrape, seedJson } from './scrape.js';
export {
  applySectionHeaders,
  isSectionHeader,
  type SectionHeaderMode,
  sectionMarker,
} from './sectionHeaders.js';
export {
  type ArtistSummary,
  DEFAULT_API_URL,
  DEFAULT_ARTISTS,
  DEFAULT_USER_AGENT,
  type ScrapeEvent,
  type ScrapeOptions,
  type ScrapeSummary,
} from './types.js';
