// The histogram against the shared table of workloads/PROTOCOL.md section 8
// (the same table the C and Rust histograms are tested on).
package main

import "testing"

func TestHistBuckets(t *testing.T) {
	table := []struct {
		v, bucket, high uint64
	}{
		{0, 0, 0},
		{255, 255, 255},
		{256, 256, 257},
		{257, 256, 257},
		{258, 257, 259},
		{1000, 506, 1003},
		{1000000, 1780, 1003519},
		{1 << 40, 4352, 1108101562367},
	}
	for _, row := range table {
		b := histBucket(row.v)
		if uint64(b) != row.bucket {
			t.Errorf("bucket(%d) = %d, want %d", row.v, b, row.bucket)
		}
		if high := histBucketHigh(b); high != row.high {
			t.Errorf("highest value of bucket %d = %d, want %d", b, high, row.high)
		}
	}
	if b := histBucket(^uint64(0)); b != histBuckets-1 {
		t.Errorf("bucket(2^64-1) = %d, want the last bucket %d", b, histBuckets-1)
	}
}

func TestHistQuantiles(t *testing.T) {
	var h hist
	for v := int64(1); v <= 1000; v++ {
		h.record(v)
	}
	want := []struct {
		q    float64
		want uint64
	}{{0.50, 501}, {0.90, 903}, {0.99, 991}, {0.999, 999}, {1, 1000}}
	for _, w := range want {
		if got := h.quantile(w.q); got != w.want {
			t.Errorf("q=%g: %d, want %d", w.q, got, w.want)
		}
	}
	if h.max != 1000 || h.samples != 1000 || h.mean() != 500.5 {
		t.Errorf("max %d samples %d mean %g, want 1000 1000 500.5", h.max, h.samples, h.mean())
	}
}

func TestHistNegativeAndEmpty(t *testing.T) {
	var h hist
	if h.quantile(0.5) != 0 || h.mean() != 0 {
		t.Errorf("an empty histogram reads %d / %g, want 0 / 0", h.quantile(0.5), h.mean())
	}
	h.record(-5)
	if h.count[0] != 1 || h.max != 0 {
		t.Errorf("a negative sample went to bucket 0 %d times, max %d; want once, 0", h.count[0], h.max)
	}
	h.reset()
	if h.samples != 0 {
		t.Errorf("reset left %d samples", h.samples)
	}
}
