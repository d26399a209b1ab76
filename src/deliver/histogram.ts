// Load mode's latency record: each request's latency enters; percentiles, mean and maximum leave, from a fixed
// 2 KiB of buckets whatever the count.
/**
 * A fixed-size log-linear latency histogram (HDR-like): 64 buckets per power of two, so every recorded value is
 * known to within ~1.1 %, in 2 KiB whatever the number of samples. Load mode records every request here instead of
 * keeping per-request results, which keeps memory flat for any --count.
 */
const perOctave = 64;
const octaves = 40; // 2^40 µs ≈ 12.7 days: anything longer lands in the last bucket
const size = perOctave * octaves;

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(size);
  private total = 0;
  private sum = 0;
  private low = Number.POSITIVE_INFINITY;
  private high = 0;

  /** Records one latency in milliseconds (kept at microsecond resolution). */
  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const index = Math.min(size - 1, Math.floor(Math.log2(us) * perOctave));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sum += ms;
    if (ms < this.low) this.low = ms;
    if (ms > this.high) this.high = ms;
  }

  get count(): number {
    return this.total;
  }

  /** The latency (ms) that `fraction` of the samples are at or below; 0 with no samples. */
  quantile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let index = 0; index < size; index++) {
      seen += this.counts[index] ?? 0;
      if (seen >= rank) {
        // The bucket's geometric middle, clamped to what was actually seen.
        const us = 2 ** ((index + 0.5) / perOctave);
        return Math.min(this.high, Math.max(this.low, us / 1000));
      }
    }
    return this.high;
  }

  summary(): LatencySummary {
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      count: this.total,
      min: round(this.total ? this.low : 0),
      mean: round(this.total ? this.sum / this.total : 0),
      p50: round(this.quantile(0.5)),
      p90: round(this.quantile(0.9)),
      p95: round(this.quantile(0.95)),
      p99: round(this.quantile(0.99)),
      max: round(this.high),
    };
  }
}
