//! The README's screenshots of the inbox, 1280 and 375 pixels wide, light and dark, taken
//! from a real run into `tests/screenshots/`.

use std::path::Path;

use notif_tests::cli::SEND_DEPLOY_FINISHED;

use super::{click_in_row, row, signed_in};
use crate::util::{Alice, AliceApi};

#[test]
fn screenshots_of_the_inbox() {
    let server = Alice::start();
    let sends: [&[&str]; 5] = [
        &[
            "send",
            "Nightly backup completed",
            "--type",
            "success",
            "--category",
            "backup",
        ],
        &[
            "send",
            "Disk usage at 91% on db-2",
            "--type",
            "warning",
            "--category",
            "ops",
        ],
        &[
            "send",
            "Weekly report is ready",
            "--category",
            "reports",
            "--link",
            "https://example.com/reports/48",
        ],
        &[
            "send",
            "Payment webhook failing",
            "--type",
            "error",
            "--category",
            "billing",
            "--body",
            "3 retries left; last answer 502 from api.payments.example",
        ],
        &[
            "send",
            "New sign-in from Firefox on Linux",
            "--category",
            "security",
        ],
    ];
    for args in sends {
        server.notif(args).run().success();
    }
    let deploy = [
        "--body",
        "web-1 is on v2.3.1",
        "--link",
        "https://ci.example.com/runs/42",
    ];
    server
        .notif(&[SEND_DEPLOY_FINISHED, &deploy].concat())
        .run()
        .success();
    let weekly = server
        .inbox()
        .into_iter()
        .find(|n| n.title == "Weekly report is ready")
        .unwrap();
    server.notif(&["read", &weekly.id]).run().success();
    let browser = signed_in(&server, 1280);
    browser.wait_until("the list", &row("Nightly backup completed"));
    click_in_row(&browser, "Deploy finished", ".item-head");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (width, height) in [(1280, 800), (375, 812)] {
        browser.resize(width, height);
        for scheme in ["light", "dark"] {
            browser.color_scheme(scheme);
            browser.wait_until(
                "the colour scheme",
                &format!("matchMedia('(prefers-color-scheme: {scheme})').matches && innerWidth <= {width}"),
            );
            let png = browser.screenshot();
            assert!(png.starts_with(b"\x89PNG"), "not a PNG");
            std::fs::write(dir.join(format!("inbox-{width}-{scheme}.png")), png).unwrap();
        }
    }
}
