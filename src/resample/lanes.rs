//! Eight independent `f32` values moving together: the element type that lets one FFT plan
//! ([`super::fft`]) transform eight blocks at once, each lane with exactly the scalar operations,
//! so each lane's result is the same bits on every CPU while the compiler turns each lane-wise
//! operation into vector instructions (SSE2 or AVX on x86-64, NEON on aarch64, SIMD128 where
//! WebAssembly has it).
//!
//! `Zero`, `One` and `Num` are implemented so that `Complex<Lanes>` has its arithmetic.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use rustfft::num_traits::{Num, One, Zero};

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
