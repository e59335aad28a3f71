//! Running the `ringforge` binary: the one way the tests spawn it, capture what it printed and
//! stop it when it hangs.
//!
//! ```ignore
//! let out = Run::new(["convert", "in", "-o", "out"]).cwd(dir.path()).output();
//! out.assert_code(0);
//! assert!(out.stderr.contains("1 converted"), "{}", out.text());
//! ```

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The binary under test. Cargo names it to integration tests only; the examples that share
/// this module do not run it.
pub fn bin() -> &'static str {
    match option_env!("CARGO_BIN_EXE_ringforge") {
        Some(bin) => bin,
        None => panic!("Cargo builds the ringforge binary for integration tests only"),
    }
}

/// A run of the binary being set up: arguments, working folder, deadline.
#[must_use = "nothing runs until `output`"]
pub struct Run {
    cmd: Command,
    deadline: Option<Duration>,
}

impl Run {
    /// `ringforge ARGS…`, in the test process's working folder, with no deadline.
    pub fn new<I, S>(args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(bin());
        cmd.args(args);
        Run::wrapped(cmd)
    }

    /// A command that starts the binary through a wrapper (say, a shell that sets a resource
    /// limit first and then execs [`bin`]); arguments added later go to the wrapper.
    pub fn wrapped(cmd: Command) -> Run {
        Run {
            cmd,
            deadline: None,
        }
    }

    /// One more argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Run {
        self.cmd.arg(arg);
        self
    }

    /// More arguments.
    pub fn args<I, S>(mut self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs in `dir`.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Run {
        self.cmd.current_dir(dir);
        self
    }

    /// Kills the binary and fails the test if it runs longer than `limit`.
    pub fn deadline(mut self, limit: Duration) -> Run {
        self.deadline = Some(limit);
        self
    }

    /// Runs it to the end, with standard input closed, and returns what it printed.
    pub fn output(mut self) -> Output {
        let mut child = self
            .cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", self.cmd));
        // Both pipes drain on their own threads, so a chatty child never blocks on a full pipe.
        let drain = |mut r: Box<dyn Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            })
        };
        let stdout = drain(Box::new(child.stdout.take().expect("piped stdout")));
        let stderr = drain(Box::new(child.stderr.take().expect("piped stderr")));
        let status = match self.deadline {
            None => child.wait().expect("wait for ringforge"),
            Some(limit) => {
                let start = Instant::now();
                loop {
                    if let Some(status) = child.try_wait().expect("wait for ringforge") {
                        break status;
                    }
                    if start.elapsed() > limit {
                        let _ = child.kill();
                        let _ = child.wait();
                        panic!(
                            "ringforge ran for more than {limit:?}: {:?}\nstderr so far:\n{}",
                            self.cmd,
                            stderr.join().unwrap()
                        );
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        };
        Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

/// What a run of the binary printed and how it ended.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// The exit code; `None` when a signal ended the process.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The exit code; fails the test when a signal ended the process.
    pub fn exit_code(&self) -> i32 {
        self.code()
            .unwrap_or_else(|| panic!("ended by a signal\n{}", self.text()))
    }

    /// Fails the test unless the binary exited with `code` and no panic escaped to its
    /// standard error.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            Some(code),
            "unexpected exit status\n{}",
            self.text()
        );
        assert!(
            !self.stderr.contains("panicked at"),
            "a panic escaped:\n{}",
            self.stderr
        );
        self
    }

    /// [`Output::assert_code`] with 0.
    pub fn assert_ok(&self) -> &Self {
        self.assert_code(0)
    }

    /// Standard output parsed as JSON; fails the test with everything printed when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}\n{}", self.text()))
    }

    /// Exit status and both streams, for failure messages.
    pub fn text(&self) -> String {
        format!(
            "status {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status, self.stdout, self.stderr
        )
    }

    /// The line of standard error about `file` (matched by the end of its file name).
    pub fn line_about(&self, file: &str) -> &str {
        // Messages read "kind: path: message": match where the path ends, so a name that also
        // occurs in a temporary folder's random name (`up` in `.tmpucupyp`) cannot match the
        // wrong line.
        let tail = format!("{file}: ");
        self.stderr
            .lines()
            .find(|l| l.contains(&tail))
            .unwrap_or_else(|| panic!("no message about {file:?} in:\n{}", self.stderr))
    }
}
