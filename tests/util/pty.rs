//! Driving a program through a pseudo-terminal, as a person at a terminal would: keys go in,
//! the screen's text comes out (colours and cursor movements stripped). Linux only, with libc's
//! POSIX pty functions, so the tests need no terminal emulator and no extra package.
#![allow(dead_code)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TAB: &str = "\t";
pub const ENTER: &str = "\r";
pub const CTRL_C: &str = "\x03";
pub const CTRL_D: &str = "\x04";
pub const UP: &str = "\x1b[A";

/// A program running on a pseudo-terminal of a given size.
pub struct Pty {
    master: File,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    /// How much of the screen text `expect` has consumed.
    seen: usize,
}

fn check(result: libc::c_int, what: &str) -> libc::c_int {
    assert!(result >= 0, "{what}: {}", std::io::Error::last_os_error());
    result
}

impl Pty {
    /// Starts `command` with a terminal `cols` wide and `rows` high as its standard input,
    /// output and error, and as its controlling terminal (so Ctrl-C sends SIGINT).
    pub fn spawn(mut command: Command, cols: u16, rows: u16) -> Pty {
        // SAFETY: plain POSIX calls on file descriptors this function owns.
        let (master, slave) = unsafe {
            let master = check(
                libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY),
                "posix_openpt",
            );
            check(libc::grantpt(master), "grantpt");
            check(libc::unlockpt(master), "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            check(
                libc::ptsname_r(master, name.as_mut_ptr(), name.len()),
                "ptsname_r",
            );
            let slave = check(
                libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY),
                "open the pty's terminal",
            );
            let size = libc::winsize {
                ws_row: rows,
                ws_col: cols,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            check(libc::ioctl(slave, libc::TIOCSWINSZ, &size), "TIOCSWINSZ");
            (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave))
        };
        command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start the program on a pty");
        drop(command); // closes our copies of the terminal side
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Reading fails with EIO once the program has exited and the terminal is closed.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            child,
            output,
            seen: 0,
        }
    }

    /// Types `keys` (raw bytes: "\t" is Tab, "\r" Enter, "\x03" Ctrl-C).
    pub fn send(&mut self, keys: &str) {
        self.send_bytes(keys.as_bytes());
    }

    pub fn send_bytes(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
        self.master.flush().unwrap();
    }

    /// Types `keys` one at a time, as a person does (the line editor redraws between keys).
    pub fn type_slowly(&mut self, keys: &str) {
        for c in keys.chars() {
            self.send(&c.to_string());
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Everything the program wrote, escape sequences and all.
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// How many times a line editor has started reading (it turns bracketed paste on each time).
    pub fn prompts(&self) -> usize {
        self.raw().matches("\x1b[?2004h").count()
    }

    /// Waits until a line editor has started reading more than `before` times.
    pub fn wait_for_prompt_after(&mut self, before: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.prompts() <= before {
            if Instant::now() > deadline {
                panic!("no new prompt; the terminal shows:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Everything shown so far, as text.
    pub fn screen(&self) -> String {
        strip_ansi(&String::from_utf8_lossy(&self.output.lock().unwrap()))
    }

    /// Waits until `needle` appears after what earlier calls consumed; returns the text up to
    /// and including it. Panics with the whole transcript after `timeout`.
    pub fn expect_within(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if let Some(at) = screen[self.seen.min(screen.len())..].find(needle) {
                let start = self.seen;
                self.seen += at + needle.len();
                return screen[start..self.seen].to_owned();
            }
            if Instant::now() > deadline {
                let raw = String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned();
                let tail: String = raw
                    .chars()
                    .rev()
                    .take(1500)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                panic!(
                    "waited {timeout:?} for {needle:?}; the terminal shows:\n{screen}\n--- the last bytes, raw ---\n{tail:?}"
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn expect(&mut self, needle: &str) -> String {
        self.expect_within(needle, Duration::from_secs(20))
    }

    /// Waits for the program to end.
    pub fn wait(mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "the program did not end within {timeout:?}; the terminal shows:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn master_fd(&self) -> i32 {
        self.master.as_raw_fd()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The text of terminal output: escape sequences removed, carriage returns dropped.
pub fn strip_ansi(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters, then one final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL or ESC \
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.peek() == Some(&'\\')) {
                            chars.next_if_eq(&'\\');
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' | '\x07' => {}
            c => out.push(c),
        }
    }
    out
}
