//! The `ringforge` command: flags in, library calls, messages out. No audio logic lives here.

#![warn(clippy::too_many_lines)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panics inside a conversion are caught and reported as that file's error; keep the default
    // hook's backtrace noise for genuine bugs only.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !ringforge::panic_is_contained() {
            default_hook(info);
        }
    }));
    cli::main()
}
