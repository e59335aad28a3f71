//! The `ringforge` command: flags in, library calls, messages out. No audio logic lives here.

#![warn(clippy::too_many_lines)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics inside a conversion are caught and reported as that file's error. A decoder's is
    // about the file and says nothing more; any other is a bug in ringforge, whose location the
    // default hook prints for the report.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !(ringforge::panic_is_contained() && ringforge::panic_is_in_decoder()) {
            default_hook(info);
        }
    }));
    cli::main()
}
