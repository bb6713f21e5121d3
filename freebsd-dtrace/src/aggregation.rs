//! Aggregation values decoded from the bytes libdtrace hands out, laid out as `<sys/dtrace.h>`
//! defines them: count and sum are one 64-bit word; quantize is 127 64-bit counts with the
//! zero bucket at index 63; lquantize is `levels + 2` counts (underflow, levels, overflow)
//! whose base, step and level count are encoded in the record's `dtrd_arg`.

/// `DTRACEACT_AGGREGATION` and the aggregating actions after it.
pub mod action {
    /// `count()`.
    pub const COUNT: u16 = 0x0701;
    /// `min()`.
    pub const MIN: u16 = 0x0702;
    /// `max()`.
    pub const MAX: u16 = 0x0703;
    /// `sum()`.
    pub const SUM: u16 = 0x0705;
    /// `quantize()`.
    pub const QUANTIZE: u16 = 0x0707;
    /// `lquantize()`.
    pub const LQUANTIZE: u16 = 0x0708;
}

/// Buckets of `quantize()`: 63 negative, zero, 63 positive.
pub const QUANTIZE_NBUCKETS: usize = 127;
/// Index of the zero bucket.
pub const QUANTIZE_ZEROBUCKET: usize = 63;

/// One histogram bucket: values from `lower` (inclusive) counted `count` times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Smallest value of the bucket; `i64::MIN` for an lquantize underflow bucket.
    pub lower: i64,
    /// Number of values.
    pub count: u64,
}

/// A decoded aggregation value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AggregationValue {
    /// `count()`.
    Count(u64),
    /// `sum()`, `min()`, `max()`.
    Scalar(i64),
    /// `quantize()`: the non-empty buckets, ascending.
    Quantize(Vec<Bucket>),
    /// `lquantize()`: the non-empty buckets, ascending.
    Lquantize {
        /// Lower bound of the first level.
        base: i32,
        /// Width of a level.
        step: u16,
        /// Number of levels.
        levels: u16,
        /// Non-empty buckets.
        buckets: Vec<Bucket>,
    },
}

/// Why aggregation data could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The action is not one probecost decodes.
    #[error("unsupported aggregating action {0:#06x}")]
    UnsupportedAction(u16),
    /// The data is shorter or longer than the action's layout.
    #[error("aggregation data of {found} bytes where {expected} were expected")]
    Size {
        /// Bytes the layout needs.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
}

/// The smallest value `quantize()` puts in bucket `index`.
pub fn quantize_bucket_value(index: usize) -> i64 {
    use std::cmp::Ordering::*;
    match index.cmp(&QUANTIZE_ZEROBUCKET) {
        Less => -(1i64 << (QUANTIZE_ZEROBUCKET - 1 - index)),
        Equal => 0,
        Greater => 1i64 << (index - QUANTIZE_ZEROBUCKET - 1),
    }
}

/// The parameters `lquantize()` encodes in `dtrd_arg`: (base, step, levels).
pub fn lquantize_parameters(arg: u64) -> (i32, u16, u16) {
    let step = ((arg >> 48) & 0xffff) as u16;
    let levels = ((arg >> 32) & 0xffff) as u16;
    let base = (arg & 0xffff_ffff) as u32 as i32;
    (base, step, levels)
}

fn words(data: &[u8], expected: usize) -> Result<Vec<u64>, DecodeError> {
    if data.len() != expected * 8 {
        return Err(DecodeError::Size {
            expected: expected * 8,
            found: data.len(),
        });
    }
    Ok(data
        .chunks_exact(8)
        .map(|w| u64::from_ne_bytes(w.try_into().expect("chunks of 8")))
        .collect())
}

/// Decodes the aggregating record's bytes for `action`, with `arg` its `dtrd_arg`.
pub fn decode(action: u16, arg: u64, data: &[u8]) -> Result<AggregationValue, DecodeError> {
    match action {
        action::COUNT => Ok(AggregationValue::Count(words(data, 1)?[0])),
        action::SUM | action::MIN | action::MAX => {
            Ok(AggregationValue::Scalar(words(data, 1)?[0] as i64))
        }
        action::QUANTIZE => {
            let counts = words(data, QUANTIZE_NBUCKETS)?;
            Ok(AggregationValue::Quantize(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c != 0)
                    .map(|(i, c)| Bucket {
                        lower: quantize_bucket_value(i),
                        count: *c,
                    })
                    .collect(),
            ))
        }
        action::LQUANTIZE => {
            let (base, step, levels) = lquantize_parameters(arg);
            let counts = words(data, levels as usize + 2)?;
            let buckets = counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c != 0)
                .map(|(i, c)| Bucket {
                    lower: if i == 0 {
                        i64::MIN
                    } else {
                        base as i64 + (i as i64 - 1) * step as i64
                    },
                    count: *c,
                })
                .collect();
            Ok(AggregationValue::Lquantize {
                base,
                step,
                levels,
                buckets,
            })
        }
        other => Err(DecodeError::UnsupportedAction(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(words: &[u64]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_ne_bytes()).collect()
    }

    #[test]
    fn count_and_sum() {
        assert_eq!(
            decode(action::COUNT, 0, &bytes(&[42])),
            Ok(AggregationValue::Count(42))
        );
        assert_eq!(
            decode(action::SUM, 0, &bytes(&[(-5i64) as u64])),
            Ok(AggregationValue::Scalar(-5))
        );
    }

    #[test]
    fn quantize_negative_zero_and_positive_buckets() {
        let mut counts = [0u64; QUANTIZE_NBUCKETS];
        counts[62] = 3; // -1
        counts[63] = 4; // 0
        counts[64] = 5; // 1
        counts[66] = 6; // 4..7
        counts[0] = 1; // most negative: -2^62
        let value = decode(action::QUANTIZE, 0, &bytes(&counts)).unwrap();
        assert_eq!(
            value,
            AggregationValue::Quantize(vec![
                Bucket {
                    lower: -(1 << 62),
                    count: 1
                },
                Bucket {
                    lower: -1,
                    count: 3
                },
                Bucket { lower: 0, count: 4 },
                Bucket { lower: 1, count: 5 },
                Bucket { lower: 4, count: 6 },
            ])
        );
        assert_eq!(quantize_bucket_value(126), 1 << 62);
    }

    #[test]
    fn lquantize_with_underflow_and_overflow() {
        // lquantize(x, 10, 50, 10): base 10, step 10, 4 levels.
        let arg = (10u64 << 48) | (4u64 << 32) | 10;
        let counts = [2u64, 0, 7, 0, 0, 1];
        let value = decode(action::LQUANTIZE, arg, &bytes(&counts)).unwrap();
        assert_eq!(
            value,
            AggregationValue::Lquantize {
                base: 10,
                step: 10,
                levels: 4,
                buckets: vec![
                    Bucket {
                        lower: i64::MIN,
                        count: 2
                    },
                    Bucket {
                        lower: 20,
                        count: 7
                    },
                    Bucket {
                        lower: 50,
                        count: 1
                    },
                ],
            }
        );
        let negative = (1u64 << 48) | (2u64 << 32) | ((-3i32) as u32 as u64);
        assert_eq!(lquantize_parameters(negative), (-3, 1, 2));
    }

    #[test]
    fn size_and_action_errors() {
        assert_eq!(
            decode(action::QUANTIZE, 0, &bytes(&[1, 2])),
            Err(DecodeError::Size {
                expected: 1016,
                found: 16
            })
        );
        assert_eq!(
            decode(0x0704, 0, &bytes(&[1, 2])),
            Err(DecodeError::UnsupportedAction(0x0704))
        );
    }
}
