// The latency histogram of workloads/PROTOCOL.md section 8: log-linear
// buckets, 2^7 = 128 per power of two (values below 256 exact), the
// q-quantile read at its bucket's highest value and capped at the largest
// sample. Filled by one goroutine, after the goroutines that measured are
// joined, so it needs no atomics.
package main

import "math/bits"

// histSubBits: 2^7 sub-buckets per power of two, a relative error of at most
// 1/128 (PROTOCOL.md section 8, as HdrHistogram with 2 significant digits).
const histSubBits = 7

// histBuckets covers every uint64: the highest bucket is that of 2^64-1,
// 128*(63-7) + 255.
const histBuckets = 128*(64-histSubBits) + 128

type hist struct {
	count   [histBuckets]uint64 // samples per bucket
	samples uint64              // samples recorded
	sum     uint64              // exact sum of the samples, ns
	max     uint64              // the largest sample, kept exactly
}

// histBucket is the bucket of v: v itself below 256, else 128*s + (v >> s)
// with s = floor(log2 v) - 7.
func histBucket(v uint64) int {
	if v < 1<<(histSubBits+1) {
		return int(v)
	}
	s := bits.Len64(v) - 1 - histSubBits
	return 128*s + int(v>>uint(s))
}

// histBucketHigh is the highest value that falls in bucket b.
func histBucketHigh(b int) uint64 {
	if b < 1<<(histSubBits+1) {
		return uint64(b)
	}
	s := uint(b/128 - 1)
	top := uint64(b%128 + 128) // v >> s, the top 8 bits of every v in b
	return (top+1)<<s - 1
}

func (h *hist) reset() { *h = hist{} }

// record adds one sample in ns; negative samples count as 0.
func (h *hist) record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	v := uint64(ns)
	h.count[histBucket(v)]++
	h.samples++
	h.sum += v
	if v > h.max {
		h.max = v
	}
}

// quantile is the q-quantile (0 < q <= 1): the highest value of the first
// bucket at which the running count reaches ceil(q * samples) (at least 1),
// capped at the largest sample; 0 when empty.
func (h *hist) quantile(q float64) uint64 {
	if h.samples == 0 {
		return 0
	}
	rank := uint64(q * float64(h.samples))
	if float64(rank) < q*float64(h.samples) {
		rank++
	}
	if rank < 1 {
		rank = 1
	}
	seen := uint64(0)
	for b := range h.count {
		seen += h.count[b]
		if seen >= rank {
			if high := histBucketHigh(b); high < h.max {
				return high
			}
			return h.max
		}
	}
	return h.max
}

func (h *hist) mean() float64 {
	if h.samples == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.samples)
}

// counters adds the section 8 figures under prefix: p50, p90, p99, p999,
// max, mean (ns) and the sample count.
func (h *hist) counters(prefix string, c *counters) {
	c.add(prefix+"p50_ns", float64(h.quantile(0.50)))
	c.add(prefix+"p90_ns", float64(h.quantile(0.90)))
	c.add(prefix+"p99_ns", float64(h.quantile(0.99)))
	c.add(prefix+"p999_ns", float64(h.quantile(0.999)))
	c.add(prefix+"max_ns", float64(h.max))
	c.add(prefix+"mean_ns", h.mean())
	c.add(prefix+"samples", float64(h.samples))
}
