//! The preview files: a tone's samples wrapped as a WAV file (16 kHz, mono, 16-bit PCM), exactly
//! the audio the phone plays, in a container every browser plays.

use crate::pipeline::resample::TARGET_RATE;

/// Size of the RIFF/WAVE header written before the samples.
pub const HEADER_BYTES: usize = 44;

/// A canonical 44-byte-header WAV file holding `samples` at 16 kHz, mono, 16-bit little-endian.
///
/// ```
/// let wav = ringforge::audition::wav::wav_bytes(&[0, 1000, -1000]);
/// assert_eq!(&wav[..4], b"RIFF");
/// assert_eq!(wav.len(), 44 + 6);
/// ```
pub fn wav_bytes(samples: &[i16]) -> Vec<u8> {
    let data = samples.len() as u32 * 2;
    let mut w = Vec::with_capacity(HEADER_BYTES + data as usize);
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + data).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    w.extend_from_slice(&1u16.to_le_bytes()); // PCM
    w.extend_from_slice(&1u16.to_le_bytes()); // mono
    w.extend_from_slice(&TARGET_RATE.to_le_bytes());
    w.extend_from_slice(&(TARGET_RATE * 2).to_le_bytes()); // bytes per second
    w.extend_from_slice(&2u16.to_le_bytes()); // block align
    w.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    w.extend_from_slice(b"data");
    w.extend_from_slice(&data.to_le_bytes());
    w.extend_from_slice(&crate::sln::encode(samples));
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
    }

    #[test]
    fn header_fields_and_duration_are_right() {
        let samples: Vec<i16> = (0..24_000).map(|i| (i % 200 - 100) as i16 * 300).collect();
        let w = wav_bytes(&samples);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(u32_at(&w, 4) as usize, w.len() - 8);
        assert_eq!(&w[8..16], b"WAVEfmt ");
        assert_eq!(u32_at(&w, 16), 16);
        assert_eq!(u16_at(&w, 20), 1, "PCM");
        assert_eq!(u16_at(&w, 22), 1, "mono");
        assert_eq!(u32_at(&w, 24), 16_000);
        assert_eq!(u32_at(&w, 28), 32_000);
        assert_eq!(u16_at(&w, 32), 2);
        assert_eq!(u16_at(&w, 34), 16);
        assert_eq!(&w[36..40], b"data");
        let data = u32_at(&w, 40);
        assert_eq!(data as usize, w.len() - HEADER_BYTES);
        // 24,000 samples at 16 kHz: 1.5 s, as a player computes it.
        assert_eq!(f64::from(data) / f64::from(u32_at(&w, 28)), 1.5);
        // The samples follow unchanged: the preview is the phone's audio.
        assert_eq!(&w[HEADER_BYTES..], &crate::sln::encode(&samples)[..]);
        // The library's own decoder reads it back sample for sample.
        let back = crate::convert_bytes(&w, Some("wav"), &crate::Options::default()).unwrap();
        assert_eq!(back.samples(), &samples[..]);
    }

    #[test]
    fn an_empty_tone_is_a_valid_empty_file() {
        let w = wav_bytes(&[]);
        assert_eq!(w.len(), HEADER_BYTES);
        assert_eq!(u32_at(&w, 40), 0);
    }
}
