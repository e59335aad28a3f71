//! Panics contained per file, and whose they were.
//!
//! Every conversion, inspection and logo runs under [`contain`]: a panic fails that file alone.
//! A panic while the file is read (symphonia's demuxers and codecs, nanomp3, rusty_flac, the
//! image decoders and the SVG renderer, ringforge's own reading of container headers and
//! packets around them, and the source's own reader: the code run under [`in_decoder`]) is the
//! decoder's, most likely on a damaged or hostile file. Any other panic (resampling, conditioning, measuring, encoding) is a
//! bug in ringforge itself, whatever the file holds, and is reported as such.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// How many [`contain`] calls the current thread is inside.
    static CONTAINED: Cell<u32> = const { Cell::new(0) };
    /// Whether the current thread is inside [`in_decoder`]. Left set by a panic that unwinds
    /// out of it, which is how [`contain`] tells whose the panic was.
    static IN_DECODER: Cell<bool> = const { Cell::new(false) };
}

/// A panic [`contain`] caught, by whose code raised it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Caught {
    /// Raised while a decoder read the file; its message.
    Decoder(String),
    /// Raised in ringforge's own processing; its message.
    Own(String),
}

/// Runs `f`, catching a panic it raises and telling whose it was.
pub(crate) fn contain<T>(f: impl FnOnce() -> T) -> Result<T, Caught> {
    CONTAINED.with(|c| c.set(c.get() + 1));
    let outer = IN_DECODER.with(|d| d.replace(false));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    let in_decoder = IN_DECODER.with(|d| d.replace(outer));
    CONTAINED.with(|c| c.set(c.get() - 1));
    result.map_err(|payload| {
        let message = panic_message(&*payload);
        if in_decoder {
            Caught::Decoder(message)
        } else {
            Caught::Own(message)
        }
    })
}

/// Runs `f`, a decoder reading the file: a panic it raises is the decoder's.
pub(crate) fn in_decoder<T>(f: impl FnOnce() -> T) -> T {
    let outer = IN_DECODER.with(|d| d.replace(true));
    let value = f();
    IN_DECODER.with(|d| d.set(outer));
    value
}

/// A panic's message, from its payload (what `catch_unwind` returns, or a panic hook's
/// `info.payload()`): the text given to `panic!`, or "no message".
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("bad frame {}", 7)).unwrap_err();
/// assert_eq!(ringforge::panic_message(&*payload), "bad frame 7");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Whether the current thread is inside a conversion whose panics are caught and reported as
/// that file's error ([`crate::Error::Panicked`] or [`crate::Error::Internal`]). A program's
/// panic hook can use this to stay quiet about those panics.
///
/// ```
/// assert!(!ringforge::panic_is_contained());
/// ```
pub fn panic_is_contained() -> bool {
    CONTAINED.with(Cell::get) > 0
}

/// Whether a panic raised now would be a decoder's: the current thread is inside a decoder
/// reading a file (see [`crate::Error::Panicked`]). Where a panic cannot be caught (WebAssembly
/// aborts the instance), a panic hook can use this to say whose it was.
///
/// ```
/// assert!(!ringforge::panic_is_in_decoder());
/// ```
pub fn panic_is_in_decoder() -> bool {
    IN_DECODER.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_a_decoder_is_the_decoders() {
        let caught = contain(|| {
            let x: u32 = in_decoder(|| panic!("bad frame"));
            x
        });
        assert_eq!(caught, Err(Caught::Decoder("bad frame".into())));
        assert!(!panic_is_in_decoder() && !panic_is_contained());
    }

    #[test]
    fn a_panic_after_the_decoder_returned_is_ringforges() {
        let caught = contain(|| {
            let n = in_decoder(|| std::hint::black_box(3usize));
            assert!(!panic_is_in_decoder());
            [0u8; 2][n]
        });
        let Err(Caught::Own(message)) = caught else {
            panic!("{caught:?}");
        };
        assert!(message.contains("index out of bounds"), "{message}");
    }

    #[test]
    fn nothing_caught_leaves_the_value_and_the_state() {
        let value = contain(|| {
            assert!(panic_is_contained());
            in_decoder(|| {
                assert!(panic_is_in_decoder());
                // A contained call inside a decoder (a nested conversion) starts outside it.
                contain(|| assert!(!panic_is_in_decoder())).unwrap();
                assert!(panic_is_in_decoder());
                7
            })
        });
        assert_eq!(value, Ok(7));
        assert!(!panic_is_in_decoder() && !panic_is_contained());
    }
}
