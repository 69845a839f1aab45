//! The real binary in a real X window under Xvfb: the window appears, a run started from it
//! trains, and a screenshot of it training is saved beside the test output
//! (target/tmp/medssl-window.png).
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(limit: Duration, mut ok: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

fn window_listed(display: &str) -> bool {
    Command::new("xwininfo")
        .args(["-root", "-tree", "-display", display])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("MedSSL Workbench"))
}

#[test]
fn the_window_opens_under_xvfb_and_is_captured() {
    let display = format!(":{}", 90 + std::process::id() % 100);
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{}", &display[1..]));
    let xvfb = Command::new("Xvfb")
        .args([display.as_str(), "-screen", "0", "1280x860x24", "-nolisten", "tcp"])
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is needed for this test (.ci/run installs it: apt-get install xvfb)");
    let _xvfb = Killed(xvfb);
    assert!(wait_for(Duration::from_secs(10), || socket.exists()), "Xvfb did not start");

    let runs = tempfile::tempdir().unwrap();
    let preset = concat!(env!("CARGO_MANIFEST_DIR"), "/presets/simclr.toml");
    let app = Command::new(env!("CARGO_BIN_EXE_medssl"))
        .args(["gui", "--preset", preset, "--start"])
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("MEDSSL_RUNS", runs.path())
        .env("XDG_RUNTIME_DIR", runs.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut app = Killed(app);
    assert!(wait_for(Duration::from_secs(60), || window_listed(&display)), "no window appeared");
    // Wait until the run it started has logged a few steps, so the picture shows curves and
    // the images the model receives.
    let steps_logged = || {
        let Some(Ok(run)) = std::fs::read_dir(runs.path()).ok().and_then(|mut d| d.next()) else { return 0 };
        std::fs::read_to_string(run.path().join("metrics.jsonl"))
            .map_or(0, |m| m.lines().filter(|l| l.contains("\"step\"")).count())
    };
    assert!(wait_for(Duration::from_secs(120), || steps_logged() >= 12), "the run did not train");
    std::thread::sleep(Duration::from_secs(1));
    assert!(app.0.try_wait().unwrap().is_none(), "the app exited");

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("medssl-window.png");
    let status = Command::new("import")
        .args(["-display", &display, "-window", "root", shot.to_str().unwrap()])
        .status()
        .expect("ImageMagick's import is needed (apt-get install imagemagick)");
    assert!(status.success());
    let img = image::open(&shot).unwrap().to_rgb8();
    let first = img.get_pixel(0, 0);
    let distinct = img.pixels().filter(|p| *p != first).count();
    assert!(distinct > 10_000, "the screenshot is nearly blank ({distinct} pixels differ)");
    println!("screenshot: {}", shot.display());
}
