//! Offline speech behind a small trait: `espeak-ng` by default (any command taking the same
//! options can replace it), a worker thread that owns the speaking process so that the UI never
//! waits, and a new text always interrupts the previous one.

use passerelle_core::config::SpeechConfig;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

/// Volume steps offered on screen (espeak-ng amplitude), the default one first in DEFAULT_VOLUME.
pub const VOLUMES: [u32; 4] = [50, 100, 150, 200];
pub const DEFAULT_VOLUME: usize = 1;

pub trait Speech: Send + Sync {
    /// Start saying `text`; whatever was being said stops. Never blocks.
    fn say(&self, text: &str, lang: &str, volume: u32);
    fn stop(&self);
    /// Whether speech can be heard at all (a command is configured and installed).
    fn available(&self) -> bool;
}

enum Msg {
    Say { text: String, lang: String, volume: u32 },
    Stop,
}

/// Speech through a command (espeak-ng and compatible), on its own thread.
pub struct CommandSpeech {
    tx: Mutex<Sender<Msg>>,
    available: bool,
}

/// Whether a program can be found (an absolute path, or on PATH).
pub fn installed(command: &str) -> bool {
    let p = Path::new(command);
    if p.is_absolute() {
        return p.is_file();
    }
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(command).is_file()))
}

fn args(cfg: &SpeechConfig, lang: &str, volume: u32) -> Vec<String> {
    let voice = cfg.voices.get(lang).or_else(|| cfg.voices.get("fr")).cloned().unwrap_or_else(|| lang.to_string());
    vec!["-v".into(), voice, "-s".into(), cfg.rate.to_string(), "-a".into(), volume.to_string()]
}

impl CommandSpeech {
    pub fn new(cfg: SpeechConfig) -> CommandSpeech {
        let available = cfg.command != "none" && installed(&cfg.command);
        let (tx, rx) = mpsc::channel::<Msg>();
        std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || {
                let mut current: Option<Child> = None;
                let stop = |c: &mut Option<Child>| {
                    if let Some(mut child) = c.take() {
                        let _ = child.kill();
                        let _ = child.wait();
                    }
                };
                loop {
                    match rx.recv_timeout(Duration::from_millis(500)) {
                        Ok(Msg::Say { text, lang, volume }) => {
                            stop(&mut current);
                            if !available {
                                continue;
                            }
                            let spawned = Command::new(&cfg.command)
                                .args(args(&cfg, &lang, volume))
                                .arg("--")
                                .arg(&text)
                                .stdin(Stdio::null())
                                .stdout(Stdio::null())
                                .stderr(Stdio::null())
                                .spawn();
                            match spawned {
                                Ok(c) => current = Some(c),
                                Err(e) => log::warn!("speech: cannot run {}: {e}", cfg.command),
                            }
                        }
                        Ok(Msg::Stop) => stop(&mut current),
                        Err(RecvTimeoutError::Timeout) => {
                            // Reap a finished voice.
                            if current.as_mut().is_some_and(|c| c.try_wait().is_ok_and(|s| s.is_some())) {
                                current = None;
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => {
                            stop(&mut current);
                            break;
                        }
                    }
                }
            })
            .expect("the speech thread starts");
        CommandSpeech { tx: Mutex::new(tx), available }
    }
}

impl Speech for CommandSpeech {
    fn say(&self, text: &str, lang: &str, volume: u32) {
        let _ = self.tx.lock().unwrap_or_else(|e| e.into_inner()).send(Msg::Say { text: text.into(), lang: lang.into(), volume });
    }
    fn stop(&self) {
        let _ = self.tx.lock().unwrap_or_else(|e| e.into_inner()).send(Msg::Stop);
    }
    fn available(&self) -> bool {
        self.available
    }
}

/// Speech for tests: remembers what it was asked to say.
#[derive(Default)]
pub struct FakeSpeech {
    pub said: Mutex<Vec<(String, String, u32)>>,
    pub stops: Mutex<usize>,
}

impl Speech for FakeSpeech {
    fn say(&self, text: &str, lang: &str, volume: u32) {
        self.said.lock().unwrap_or_else(|e| e.into_inner()).push((text.into(), lang.into(), volume));
    }
    fn stop(&self) {
        *self.stops.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    }
    fn available(&self) -> bool {
        true
    }
}

/// Write the spoken text as a WAV file (`passerelle say`), waiting for the engine.
pub fn render_wav(cfg: &SpeechConfig, text: &str, lang: &str, out: &Path) -> anyhow::Result<()> {
    if cfg.command == "none" {
        anyhow::bail!("speech is switched off in the configuration (command = \"none\")");
    }
    if !installed(&cfg.command) {
        anyhow::bail!("the speech engine `{}` is not installed (Debian: apt-get install espeak-ng)", cfg.command);
    }
    let status = Command::new(&cfg.command)
        .args(args(cfg, lang, VOLUMES[DEFAULT_VOLUME]))
        .arg("-w")
        .arg(out)
        .arg("--")
        .arg(text)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        anyhow::bail!("{} failed ({status})", cfg.command);
    }
    Ok(())
}
