//! Eight independent `f32` values moving together: the element type that lets one FFT plan
//! transform eight blocks at once, each lane with exactly the scalar operations.
//!
//! rustfft's fast kernels (AVX, SSE, NEON) are chosen at run time and round differently from its
//! scalar ones, so the same source would give other bytes on another CPU. Its scalar kernels are
//! the same on every machine, but one value at a time they leave the vector units idle. Run on
//! [`Lanes`], the scalar kernels do every addition and multiplication lane by lane, in the same
//! order as for one `f32` — so each lane's result is bit-identical to the scalar transform, on
//! every CPU — while the compiler turns each lane-wise operation into vector instructions (SSE2 on
//! any x86-64, NEON on aarch64, SIMD128 where WebAssembly has it).

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use rustfft::num_traits::{FromPrimitive, Num, One, Signed, Zero};

/// How many blocks one transform carries.
pub(crate) const LANES: usize = 8;

/// One `f32` per lane; every operation acts lane by lane with `f32` semantics (no fused
/// multiply-add, no reassociation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(32))]
pub(crate) struct Lanes(pub(crate) [f32; LANES]);

impl Lanes {
    /// The same value in every lane.
    pub(crate) const fn splat(x: f32) -> Lanes {
        Lanes([x; LANES])
    }

    // Plain loops, not `std::array::from_fn`: its closure is not always inlined, and one call per
    // lane would undo the point.
    #[inline(always)]
    fn map(self, f: impl Fn(f32) -> f32) -> Lanes {
        let mut out = self.0;
        for x in &mut out {
            *x = f(*x);
        }
        Lanes(out)
    }

    #[inline(always)]
    fn zip(self, o: Lanes, f: impl Fn(f32, f32) -> f32) -> Lanes {
        let mut out = self.0;
        for (x, y) in out.iter_mut().zip(o.0) {
            *x = f(*x, y);
        }
        Lanes(out)
    }
}

macro_rules! lane_op {
    ($trait:ident, $f:ident, $op:tt) => {
        impl $trait for Lanes {
            type Output = Lanes;
            #[inline(always)]
            fn $f(self, o: Lanes) -> Lanes {
                self.zip(o, |a, b| a $op b)
            }
        }
    };
}
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);
lane_op!(Div, div, /);
lane_op!(Rem, rem, %);

impl Neg for Lanes {
    type Output = Lanes;
    #[inline(always)]
    fn neg(self) -> Lanes {
        self.map(|a| -a)
    }
}

impl Zero for Lanes {
    fn zero() -> Lanes {
        Lanes::splat(0.0)
    }
    fn is_zero(&self) -> bool {
        self.0.iter().all(|x| *x == 0.0)
    }
}

impl One for Lanes {
    fn one() -> Lanes {
        Lanes::splat(1.0)
    }
}

impl Num for Lanes {
    type FromStrRadixErr = <f32 as Num>::FromStrRadixErr;
    fn from_str_radix(s: &str, radix: u32) -> Result<Lanes, Self::FromStrRadixErr> {
        f32::from_str_radix(s, radix).map(Lanes::splat)
    }
}

impl Signed for Lanes {
    fn abs(&self) -> Lanes {
        self.map(f32::abs)
    }
    fn abs_sub(&self, other: &Lanes) -> Lanes {
        self.zip(*other, |a, b| if a <= b { 0.0 } else { a - b })
    }
    fn signum(&self) -> Lanes {
        self.map(f32::signum)
    }
    fn is_positive(&self) -> bool {
        self.0.iter().all(|x| x.is_sign_positive())
    }
    fn is_negative(&self) -> bool {
        self.0.iter().all(|x| x.is_sign_negative())
    }
}

/// Conversions as `f32`'s own (`as f32`, round to nearest): the twiddle factors rustfft computes
/// in `f64` become the same `f32` values in every lane as in a scalar `f32` plan.
impl FromPrimitive for Lanes {
    fn from_i64(n: i64) -> Option<Lanes> {
        f32::from_i64(n).map(Lanes::splat)
    }
    fn from_u64(n: u64) -> Option<Lanes> {
        f32::from_u64(n).map(Lanes::splat)
    }
    fn from_f32(n: f32) -> Option<Lanes> {
        Some(Lanes::splat(n))
    }
    fn from_f64(n: f64) -> Option<Lanes> {
        f32::from_f64(n).map(Lanes::splat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustfft::num_complex::Complex;
    use rustfft::FftPlannerScalar;

    /// Each lane of a lane transform is bit for bit the scalar `f32` transform of its own data,
    /// for the mixed lengths the resampler uses (factors 2, 3, 5 and 7).
    #[test]
    fn every_lane_is_the_scalar_transform_bit_for_bit() {
        for len in [720usize, 960, 2160, 2646, 1323, 7] {
            let lane = FftPlannerScalar::<Lanes>::new().plan_fft_forward(len);
            let one = FftPlannerScalar::<f32>::new().plan_fft_forward(len);
            let data = |l: usize, i: usize| {
                let t = (i * 7 + l * 13) as f32;
                Complex::new(libm::sinf(t * 0.37) * 0.4, libm::cosf(t * 0.11) * 0.2)
            };
            let mut packed: Vec<Complex<Lanes>> = (0..len)
                .map(|i| Complex {
                    re: Lanes(std::array::from_fn(|l| data(l, i).re)),
                    im: Lanes(std::array::from_fn(|l| data(l, i).im)),
                })
                .collect();
            lane.process(&mut packed);
            for l in 0..LANES {
                let mut single: Vec<Complex<f32>> = (0..len).map(|i| data(l, i)).collect();
                one.process(&mut single);
                for (i, s) in single.iter().enumerate() {
                    assert_eq!(
                        packed[i].re.0[l].to_bits(),
                        s.re.to_bits(),
                        "len {len} lane {l}"
                    );
                    assert_eq!(
                        packed[i].im.0[l].to_bits(),
                        s.im.to_bits(),
                        "len {len} lane {l}"
                    );
                }
            }
        }
    }
}
