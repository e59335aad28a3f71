//! A fast path for plain interleaved little-endian PCM (what nearly every WAV file holds).
//!
//! symphonia's PCM decoder renders one frame at a time through a closure and a bounds-checked
//! byte reader, which makes decoding a WAV file cost more than resampling it. [`FastPcm`] wraps
//! that decoder and converts the packet bytes straight into `f32` planes instead, with
//! `dasp_sample`'s conversions: the same formulas symphonia uses (`i16 / 2^15`, `i24 / 2^23`,
//! `i32 / 2^31` rounded once, `u8` as `(u8 − 128) / 2^7`, `f64 as f32`), so the samples are
//! bit-identical. To be sure of that for each stream, the first packet is decoded both ways and
//! compared bit for bit; on any difference the wrapper hands every packet to symphonia's
//! decoder, as if it were not there.

use dasp_sample::{Sample, I24};
use symphonia::core::audio::{AsGenericAudioBufferRef, Audio, AudioBuffer, AudioSpec};
use symphonia::core::audio::{AudioMut, GenericAudioBufferRef};
use symphonia::core::codecs::audio::well_known::{
    CODEC_ID_PCM_F32LE, CODEC_ID_PCM_F64LE, CODEC_ID_PCM_S16LE, CODEC_ID_PCM_S24LE,
    CODEC_ID_PCM_S32LE, CODEC_ID_PCM_U8,
};
use symphonia::core::codecs::audio::{AudioCodecParameters, AudioDecoder, FinalizeResult};
use symphonia::core::codecs::CodecInfo;
use symphonia::core::errors::Result;
use symphonia::core::packet::PacketRef;

/// The sample encodings converted here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    U8,
    S16,
    S24,
    S32,
    F32,
    F64,
}

impl Encoding {
    /// The encoding of `params`, when it is one of the plain ones and every bit of each coded
    /// sample is significant (no padding bits to shift away).
    fn of(params: &AudioCodecParameters) -> Option<Encoding> {
        let (encoding, width) = match params.codec {
            CODEC_ID_PCM_U8 => (Encoding::U8, 8),
            CODEC_ID_PCM_S16LE => (Encoding::S16, 16),
            CODEC_ID_PCM_S24LE => (Encoding::S24, 24),
            CODEC_ID_PCM_S32LE => (Encoding::S32, 32),
            CODEC_ID_PCM_F32LE => (Encoding::F32, 32),
            CODEC_ID_PCM_F64LE => (Encoding::F64, 64),
            _ => return None,
        };
        let decoded = params.bits_per_sample.unwrap_or(width);
        let coded = params.bits_per_coded_sample.unwrap_or(decoded);
        (decoded == width && coded == width).then_some(encoding)
    }

    fn bytes(self) -> usize {
        match self {
            Encoding::U8 => 1,
            Encoding::S16 => 2,
            Encoding::S24 => 3,
            Encoding::S32 | Encoding::F32 => 4,
            Encoding::F64 => 8,
        }
    }
}

/// Wraps `inner` (made for `params`) in the fast path when the stream is plain PCM; returns it
/// unchanged otherwise.
pub(super) fn wrap(
    inner: Box<dyn AudioDecoder>,
    params: &AudioCodecParameters,
) -> Box<dyn AudioDecoder> {
    match FastPcm::new(inner, params) {
        Ok(fast) => Box::new(fast),
        Err(inner) => inner,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// No packet decoded yet.
    Unverified,
    /// The first packet came out bit-identical: convert here.
    Fast,
    /// It did not: every packet goes to the wrapped decoder.
    Delegate,
}

/// symphonia's PCM decoder with a fast path in front; see the module docs.
struct FastPcm {
    inner: Box<dyn AudioDecoder>,
    encoding: Encoding,
    buf: AudioBuffer<f32>,
    state: State,
}

impl FastPcm {
    /// The fast path for `params`, or `inner` back when the stream is not plain PCM.
    fn new(
        inner: Box<dyn AudioDecoder>,
        params: &AudioCodecParameters,
    ) -> std::result::Result<FastPcm, Box<dyn AudioDecoder>> {
        let (Some(encoding), Some(rate), Some(channels)) = (
            Encoding::of(params),
            params.sample_rate,
            params.channels.clone(),
        ) else {
            return Err(inner);
        };
        if channels.count() == 0 {
            return Err(inner);
        }
        Ok(FastPcm {
            inner,
            encoding,
            buf: AudioBuffer::new(AudioSpec::new(rate, channels), 0),
            state: State::Unverified,
        })
    }

    /// Converts `data` (whole frames only, as symphonia does) into the buffer.
    fn convert(&mut self, data: &[u8]) {
        let channels = self.buf.spec().channels().count();
        let frame_bytes = self.encoding.bytes() * channels;
        let frames = data.len() / frame_bytes;
        self.buf.clear();
        self.buf.grow_capacity(frames);
        self.buf.resize_uninit(frames);
        let data = &data[..frames * frame_bytes];
        if self.encoding == Encoding::S16 && channels == 2 {
            let (l, r) = self.buf.plane_pair_mut(0, 1).expect("two channels");
            s16_stereo(data, l, r);
            return;
        }
        for ch in 0..channels {
            let plane = self.buf.plane_mut(ch).expect("channel exists");
            deinterleave(self.encoding, data, channels, ch, plane);
        }
    }
}

/// The commonest case (CD-style stereo) in one pass over the bytes: frames of `data` into the
/// left and right planes.
fn s16_stereo(data: &[u8], l: &mut [f32], r: &mut [f32]) {
    for ((l, r), b) in l.iter_mut().zip(r.iter_mut()).zip(data.chunks_exact(4)) {
        *l = sample_s16(b);
        *r = sample_s16(&b[2..]);
    }
}

/// Writes channel `ch` of interleaved `data` into `out` (one sample per frame).
fn deinterleave(encoding: Encoding, data: &[u8], channels: usize, ch: usize, out: &mut [f32]) {
    let w = encoding.bytes();
    let stride = w * channels;
    let frames = data.chunks_exact(stride).map(|f| &f[ch * w..ch * w + w]);
    match encoding {
        Encoding::U8 => fill(out, frames, sample_u8),
        Encoding::S16 => fill(out, frames, sample_s16),
        Encoding::S24 => fill(out, frames, sample_s24),
        Encoding::S32 => fill(out, frames, sample_s32),
        Encoding::F32 => fill(out, frames, sample_f32),
        Encoding::F64 => fill(out, frames, sample_f64),
    }
}

// One little-endian sample of each encoding (its first bytes) as `f32` at full scale ±1.0. The
// formulas are dasp_sample's; the tests below hold them bit for bit to the ones they replaced.

#[inline(always)]
fn sample_u8(b: &[u8]) -> f32 {
    b[0].to_sample()
}

#[inline(always)]
fn sample_s16(b: &[u8]) -> f32 {
    i16::from_le_bytes([b[0], b[1]]).to_sample()
}

#[inline(always)]
fn sample_s24(b: &[u8]) -> f32 {
    // The three bytes at the top of an `i32`, shifted back down: sign-extended.
    I24::new_unchecked(i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8).to_sample()
}

#[inline(always)]
fn sample_s32(b: &[u8]) -> f32 {
    i32::from_le_bytes([b[0], b[1], b[2], b[3]]).to_sample()
}

#[inline(always)]
fn sample_f32(b: &[u8]) -> f32 {
    f32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[inline(always)]
fn sample_f64(b: &[u8]) -> f32 {
    f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]).to_sample()
}

#[inline(always)]
fn fill<'a>(out: &mut [f32], frames: impl Iterator<Item = &'a [u8]>, f: impl Fn(&[u8]) -> f32) {
    for (o, b) in out.iter_mut().zip(frames) {
        *o = f(b);
    }
}

/// Whether two decoded blocks hold the same samples, bit for bit.
fn same_samples(a: &GenericAudioBufferRef<'_>, b: &AudioBuffer<f32>) -> bool {
    if a.spec() != b.spec() || a.frames() != b.frames() {
        return false;
    }
    let mut planes: Vec<Vec<f32>> = Vec::new();
    a.copy_to_vecs_planar::<f32>(&mut planes);
    planes.iter().enumerate().all(|(ch, p)| {
        let q = b.plane(ch).unwrap_or_default();
        p.len() == q.len() && p.iter().zip(q).all(|(x, y)| x.to_bits() == y.to_bits())
    })
}

impl AudioDecoder for FastPcm {
    fn reset(&mut self) {
        self.inner.reset();
    }

    fn codec_info(&self) -> &CodecInfo {
        self.inner.codec_info()
    }

    fn codec_params(&self) -> &AudioCodecParameters {
        self.inner.codec_params()
    }

    fn decode_ref(&mut self, packet: &PacketRef<'_>) -> Result<GenericAudioBufferRef<'_>> {
        match self.state {
            State::Fast => {
                self.convert(packet.data);
                Ok(self.buf.as_generic_audio_buffer_ref())
            }
            State::Delegate => self.inner.decode_ref(packet),
            State::Unverified => {
                self.convert(packet.data);
                let same = same_samples(&self.inner.decode_ref(packet)?, &self.buf);
                self.state = if same { State::Fast } else { State::Delegate };
                Ok(self.inner.last_decoded())
            }
        }
    }

    fn finalize(&mut self) -> FinalizeResult {
        self.inner.finalize()
    }

    fn last_decoded(&self) -> GenericAudioBufferRef<'_> {
        match self.state {
            State::Fast => self.buf.as_generic_audio_buffer_ref(),
            _ => self.inner.last_decoded(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::decode::Decoder;
    use crate::Limits;

    /// Every sample of `wav` decoded through the fast path and through symphonia alone.
    fn both_ways(wav: &[u8]) -> (Vec<Vec<f32>>, Vec<Vec<f32>>, bool) {
        let mut fast = Decoder::open(
            Box::new(std::io::Cursor::new(wav.to_vec())),
            Some("wav"),
            &Limits::default(),
        )
        .unwrap();
        let mut a: Vec<Vec<f32>> = Vec::new();
        while fast.next_block().unwrap() {
            a.resize(fast.planes().len(), Vec::new());
            for (acc, p) in a.iter_mut().zip(fast.planes()) {
                acc.extend_from_slice(p);
            }
        }
        // The same file through symphonia's decoder only.
        let mss = symphonia::core::io::MediaSourceStream::new(
            Box::new(std::io::Cursor::new(wav.to_vec())),
            Default::default(),
        );
        let mut hint = symphonia::core::formats::probe::Hint::new();
        hint.with_extension("wav");
        let mut format = symphonia::default::get_probe()
            .probe(&hint, mss, Default::default(), Default::default())
            .unwrap();
        let params = format.tracks()[0]
            .codec_params
            .as_ref()
            .unwrap()
            .audio()
            .unwrap()
            .clone();
        let mut dec = symphonia::default::get_codecs()
            .make_audio_decoder(&params, &Default::default())
            .unwrap();
        let mut b: Vec<Vec<f32>> = Vec::new();
        let mut planes = Vec::new();
        let mut packets = Vec::new();
        while let Ok(Some(packet)) = format.next_packet() {
            dec.decode(&packet)
                .unwrap()
                .copy_to_vecs_planar::<f32>(&mut planes);
            b.resize(planes.len(), Vec::new());
            for (acc, p) in b.iter_mut().zip(&planes) {
                acc.extend_from_slice(p);
            }
            packets.push(packet);
        }
        // Whether the fast path verified itself and took over.
        let fast = match FastPcm::new(dec, &params) {
            Ok(mut f) => {
                for p in &packets {
                    f.decode(p).unwrap();
                }
                f.state == State::Fast
            }
            Err(_) => false,
        };
        (a, b, fast)
    }

    fn bits(x: &[Vec<f32>]) -> Vec<Vec<u32>> {
        x.iter()
            .map(|p| p.iter().map(|s| s.to_bits()).collect())
            .collect()
    }

    #[test]
    fn fast_path_is_bit_identical_to_symphonia() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
        let mut fast = 0;
        for name in [
            "sine1k_8k_u8_mono.wav",
            "sine1k_44k1_s16_stereo.wav",
            "sine1k_48k_s24_mono.wav",
            "sine1k_48k_s32_mono.wav",
            "sine1k_48k_f32_mono.wav",
            "sine1k_48k_f64_mono.wav",
            "tones_48k_s16ext_5p1.wav",
            "tones_48k_s24ext_3ch.wav",
            "lcg_16k_s16_mono.wav",
            "sine1k_8k_ulaw_mono.wav",
        ] {
            let wav = std::fs::read(format!("{fixtures}{name}")).unwrap();
            let (a, b, is_fast) = both_ways(&wav);
            assert!(bits(&a) == bits(&b), "{name}: the samples differ");
            assert!(!a.is_empty() && !a[0].is_empty(), "{name}");
            fast += usize::from(is_fast);
        }
        assert!(fast >= 8, "the fast path took only {fast} of the files");
    }

    /// The formulas the fast path used before it took dasp_sample's, one per encoding.
    fn before_dasp(encoding: Encoding, b: &[u8]) -> f32 {
        match encoding {
            Encoding::U8 => f32::from(b[0]) / 128.0 - 1.0,
            Encoding::S16 => f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0,
            Encoding::S24 => (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0,
            Encoding::S32 => {
                (f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_648.0) as f32
            }
            Encoding::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Encoding::F64 => f64::from_le_bytes(b[..8].try_into().unwrap()) as f32,
        }
    }

    /// Converts `data`, mono samples of `encoding`, through the fast path and holds every
    /// sample to [`before_dasp`], bit for bit.
    fn assert_as_before(encoding: Encoding, data: &[u8]) {
        let w = encoding.bytes();
        let mut out = vec![f32::NAN; data.len() / w];
        deinterleave(encoding, data, 1, 0, &mut out);
        for (b, o) in data.chunks_exact(w).zip(&out) {
            let want = before_dasp(encoding, b);
            assert!(
                o.to_bits() == want.to_bits(),
                "{encoding:?} {b:02x?}: {o:e}, before {want:e}"
            );
        }
    }

    /// 32-bit integers where rounding to `f32` can go wrong: the ends, both sides of every
    /// power of two, exact ties (half way between two `f32`s) and their neighbours, then 2^20
    /// pseudo-random values and a stride through the whole range.
    fn dense_i32() -> Vec<i32> {
        let mut v = vec![i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX - 1, i32::MAX];
        for n in 0..31 {
            for d in -3..=3 {
                v.push((1i32 << n).wrapping_add(d));
                v.push((1i32 << n).wrapping_neg().wrapping_add(d));
            }
        }
        for k in 1..=8 {
            for m in [
                0x80_0000i64,
                0x80_0001,
                0xAB_CDEF,
                0xC0_0000,
                0xFF_FFFE,
                0xFF_FFFF,
            ] {
                let tie = (m << k) + (1 << (k - 1));
                for x in [tie - 1, tie, tie + 1, -tie - 1, -tie, -tie + 1] {
                    v.extend(i32::try_from(x).ok());
                }
            }
        }
        let mut x = 0x2545_f491u32;
        for _ in 0..1 << 20 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            v.push(x as i32);
        }
        v.extend((i32::MIN..=i32::MAX).step_by(4_099));
        v
    }

    #[test]
    fn dasp_conversions_are_bit_identical_to_the_formulas_they_replaced() {
        // 8 and 16 bits: every value; 16-bit stereo through its own pass too.
        assert_as_before(Encoding::U8, &(0..=255u8).collect::<Vec<_>>());
        let all16: Vec<u8> = (i16::MIN..=i16::MAX).flat_map(i16::to_le_bytes).collect();
        assert_as_before(Encoding::S16, &all16);
        let stereo: Vec<u8> = (i16::MIN..=i16::MAX)
            .flat_map(|v| [v.to_le_bytes(), (!v).to_le_bytes()].concat())
            .collect();
        let (mut l, mut r) = (vec![f32::NAN; 65_536], vec![f32::NAN; 65_536]);
        s16_stereo(&stereo, &mut l, &mut r);
        for ((b, l), r) in stereo.chunks_exact(4).zip(&l).zip(&r) {
            assert_eq!(l.to_bits(), before_dasp(Encoding::S16, b).to_bits());
            assert_eq!(r.to_bits(), before_dasp(Encoding::S16, &b[2..]).to_bits());
        }
        // 24 bits: every value too, a 2^20 slice at a time.
        for start in (-(1i32 << 23)..1 << 23).step_by(1 << 20) {
            let chunk: Vec<u8> = (start..start + (1 << 20))
                .flat_map(|v| {
                    let b = v.to_le_bytes();
                    [b[0], b[1], b[2]]
                })
                .collect();
            assert_as_before(Encoding::S24, &chunk);
        }
        // 32 bits, and floats (whose bits are the same integers read another way).
        let dense = dense_i32();
        let bytes: Vec<u8> = dense.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_as_before(Encoding::S32, &bytes);
        let mut floats = bytes;
        for special in [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            f32::MIN_POSITIVE,
            f32::MAX,
            f32::INFINITY,
        ] {
            floats.extend(special.to_le_bytes());
        }
        assert_as_before(Encoding::F32, &floats);
        // `f64`: every `f32` above widened, the same plus half an `f32` step (ties) and a
        // little more, and 2^20 pseudo-random bit patterns.
        let mut doubles = Vec::new();
        for b in floats.chunks_exact(4) {
            let wide = f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])).to_bits();
            for bits in [
                wide,
                wide.wrapping_add(1 << 28),
                wide.wrapping_add((1 << 28) + 1),
                wide.wrapping_sub(1),
            ] {
                doubles.extend(bits.to_le_bytes());
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..1 << 20 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            doubles.extend(x.to_le_bytes());
        }
        assert_as_before(Encoding::F64, &doubles);
    }

    #[test]
    fn extreme_values_convert_like_symphonia() {
        let mut data = Vec::new();
        for v in [i16::MIN, -1, 0, 1, i16::MAX] {
            data.extend_from_slice(&v.to_le_bytes());
        }
        let x: Vec<f32> = data
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
            .collect();
        let wav = crate::signal::wav_i16(8_000, 1, &x);
        let (a, b, _) = both_ways(&wav);
        assert_eq!(bits(&a), bits(&b));
        assert_eq!(
            a[0],
            vec![
                -1.0,
                -1.0 / 32_768.0,
                0.0,
                1.0 / 32_768.0,
                32_767.0 / 32_768.0
            ]
        );
    }
}
