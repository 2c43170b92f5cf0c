// Songs done / total with an ETA. Songs decided without a download (resumed, filtered by
// title) finish instantly and would make the ETA absurdly short, so the rate is measured
// over downloaded songs only and applied to the downloads still to come.

/** A progress report. */
export interface Progress {
  done: number;
  total: number;
  /** Seconds left at the current download rate; undefined until one download finished. */
  etaSeconds: number | undefined;
  /** Title of the song just finished. */
  title: string;
}

/** Counts finished songs and estimates the time left. */
export class ProgressTracker {
  private done = 0;
  private downloaded = 0;
  private pendingDownloads: number;

  /**
   * @param total songs to report on in all
   * @param downloads how many of them need a download
   * @param now clock in ms (for tests)
   */
  constructor(
    private readonly total: number,
    downloads: number,
    private readonly now: () => number = Date.now,
    private readonly start = now(),
  ) {
    this.pendingDownloads = downloads;
  }

  /** Mark one song finished; `downloaded` says whether it cost a download. */
  tick(title: string, downloaded: boolean): Progress {
    this.done++;
    if (downloaded) {
      this.downloaded++;
      this.pendingDownloads = Math.max(0, this.pendingDownloads - 1);
    }
    const elapsed = (this.now() - this.start) / 1000;
    const etaSeconds = this.downloaded > 0 ? (elapsed / this.downloaded) * this.pendingDownloads : undefined;
    return { done: this.done, total: this.total, etaSeconds, title };
  }
}
