//! The log-linear histogram of workloads/PROTOCOL.md section 8, the same
//! buckets and quantile rule as workloads/latency.c and peers/go/hist.go:
//! 128 sub-buckets per power of two, values below 256 exact. Recorded by one
//! thread, after the run that produced the samples.

/// log2 of the sub-buckets per power of two.
const SUB_BITS: u32 = 7;
/// Sub-buckets per power of two (128).
const SUB: u64 = 1 << SUB_BITS;
/// Buckets for every u64: the largest value has s = 63 - 7 = 56 and lands in
/// bucket 128 * 56 + 255.
const BUCKETS: usize = (SUB * (64 - SUB_BITS as u64) + SUB) as usize;

/// The bucket of value v.
pub fn bucket(v: u64) -> usize {
    if v < 2 * SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros();
    let s = e - SUB_BITS;
    (SUB * s as u64 + (v >> s)) as usize
}

/// The highest value that lands in bucket b.
pub fn bucket_high(b: usize) -> u64 {
    let b = b as u64;
    if b < 2 * SUB {
        return b;
    }
    // b = 128 * s + m with m in 128..=255.
    let s = b / SUB - 1;
    let m = b - SUB * s;
    let high = ((m as u128 + 1) << s) - 1;
    high.min(u64::MAX as u128) as u64
}

/// Samples in nanoseconds. Negative samples are recorded as 0 by the
/// callers, which hold durations as u64 (saturating).
pub struct Hist {
    counts: Vec<u64>, // samples per bucket
    samples: u64,     // samples recorded
    sum: u128,        // exact sum of the samples
    max: u64,         // the largest sample, exact
}

impl Default for Hist {
    fn default() -> Hist {
        Hist { counts: vec![0; BUCKETS], samples: 0, sum: 0, max: 0 }
    }
}

impl Hist {
    pub fn record(&mut self, v: u64) {
        self.counts[bucket(v)] += 1;
        self.samples += 1;
        self.sum += v as u128;
        self.max = self.max.max(v);
    }

    /// The exact mean; 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.sum as f64 / self.samples as f64
        }
    }

    /// The q-quantile (0 < q <= 1): the highest value of the first bucket at
    /// which the running count reaches ceil(q x samples) (at least 1),
    /// capped at the largest sample; 0 when empty.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.samples == 0 {
            return 0;
        }
        let want = ((q * self.samples as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return bucket_high(b).min(self.max);
            }
        }
        self.max
    }

    /// The counters of PROTOCOL.md section 8 under prefix (timers: "late_").
    pub fn counters(&self, prefix: &str, out: &mut Vec<(String, f64)>) {
        let qs = [("p50_ns", 0.50), ("p90_ns", 0.90), ("p99_ns", 0.99), ("p999_ns", 0.999)];
        for (name, q) in qs {
            out.push((format!("{}{}", prefix, name), self.quantile(q) as f64));
        }
        out.push((format!("{}max_ns", prefix), self.max as f64));
        out.push((format!("{}mean_ns", prefix), self.mean()));
        out.push((format!("{}samples", prefix), self.samples as f64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of PROTOCOL.md section 8: value, bucket, bucket's highest.
    #[test]
    fn buckets_match_the_protocol_table() {
        let table: [(u64, usize, u64); 8] = [
            (0, 0, 0),
            (255, 255, 255),
            (256, 256, 257),
            (257, 256, 257),
            (258, 257, 259),
            (1000, 506, 1003),
            (1_000_000, 1780, 1_003_519),
            (1 << 40, 4352, 1_108_101_562_367),
        ];
        for (v, b, high) in table {
            assert_eq!(bucket(v), b, "bucket of {}", v);
            assert_eq!(bucket_high(b), high, "highest value of bucket {}", b);
            assert!(v <= high, "{} above its bucket's highest {}", v, high);
        }
    }

    #[test]
    fn every_value_lands_at_or_below_its_buckets_highest() {
        let mut v = 1u64;
        while v < u64::MAX / 3 {
            for x in [v - 1, v, v + 1, v * 2 - 1] {
                let b = bucket(x);
                assert!(b < BUCKETS);
                assert!(x <= bucket_high(b), "{} above bucket {}", x, b);
                if b > 0 {
                    assert!(x > bucket_high(b - 1), "{} not above bucket {}", x, b - 1);
                }
            }
            v = v * 3 / 2 + 1;
        }
        assert_eq!(bucket(u64::MAX), BUCKETS - 1);
        assert_eq!(bucket_high(BUCKETS - 1), u64::MAX);
    }

    #[test]
    fn quantiles_of_one_to_a_thousand() {
        let mut h = Hist::default();
        for v in 1..=1000 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.50), 501);
        assert_eq!(h.quantile(0.90), 903);
        assert_eq!(h.quantile(0.99), 991);
        assert_eq!(h.quantile(0.999), 999);
        assert_eq!(h.max, 1000);
        assert_eq!(h.mean(), 500.5);
        assert_eq!(h.samples, 1000);
    }

    #[test]
    fn empty_and_single_sample() {
        let mut h = Hist::default();
        assert_eq!(h.quantile(0.5), 0);
        assert_eq!(h.mean(), 0.0);
        h.record(1_000_000);
        // The bucket's highest value is 1003519; capped at the sample.
        assert_eq!(h.quantile(0.5), 1_000_000);
        assert_eq!(h.quantile(1.0), 1_000_000);
    }
}
