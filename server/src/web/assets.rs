//! The web inbox's files, embedded in the binary at build time (`include_bytes!`, which
//! cargo tracks, so an edited script rebuilds the server), each with its content type, and
//! the Content-Security-Policy that every one of them is served with.

/// One embedded file and the URL path it is served at.
#[derive(Debug)]
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// What the page may load and run: only its own scripts, styles and images, no inline
/// script or style, no frame around it. `connect-src 'self'` covers the API and stream.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../web", $path)),
        }
    };
}

/// Every file under `server/web/` (a test keeps this list and the folder equal).
pub const ASSETS: &[Asset] = &[
    asset!("/index.html", HTML),
    asset!("/assets/style.css", CSS),
    asset!("/assets/icon.svg", SVG),
    asset!("/assets/api.js", JS),
    asset!("/assets/app.js", JS),
    asset!("/assets/coalesce.js", JS),
    asset!("/assets/inbox-state.js", JS),
    asset!("/assets/inbox-view.js", JS),
    asset!("/assets/keys.js", JS),
    asset!("/assets/notifier.js", JS),
    asset!("/assets/prefs.js", JS),
    asset!("/assets/render.js", JS),
    asset!("/assets/session.js", JS),
    asset!("/assets/stream.js", JS),
    asset!("/assets/time.js", JS),
    asset!("/embed/notif-bell.js", JS),
];

/// The top-level folders the assets live in: paths that are not ntfy topics.
pub const FOLDERS: &[&str] = &["assets", "embed"];

/// The file served at URL `path`: the page for `/` and `/login`, else the asset itself.
pub fn find(path: &str) -> Option<&'static Asset> {
    let path = match path {
        "/" | "/login" => "/index.html",
        "/index.html" => return None,
        other => other,
    };
    ASSETS.iter().find(|asset| asset.path == path)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn files_under(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                files_under(&entry.path(), &name, out);
            } else {
                out.insert(name);
            }
        }
    }

    #[test]
    fn every_file_of_the_web_folder_is_served_and_nothing_else() {
        let mut on_disk = BTreeSet::new();
        files_under(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("web"),
            "",
            &mut on_disk,
        );
        let served: BTreeSet<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
        assert_eq!(on_disk, served);
    }

    #[test]
    fn the_page_is_served_at_the_root_and_at_login() {
        assert_eq!(find("/").unwrap().path, "/index.html");
        assert_eq!(find("/login").unwrap().path, "/index.html");
        assert_eq!(find("/assets/app.js").unwrap().content_type, JS);
        assert_eq!(find("/embed/notif-bell.js").unwrap().content_type, JS);
        assert!(find("/index.html").is_none());
        assert!(find("/assets/").is_none());
        assert!(find("/assets/../index.html").is_none());
    }

    #[test]
    fn content_types_follow_the_extension() {
        for asset in ASSETS {
            let expected = match asset.path.rsplit_once('.').map(|(_, ext)| ext) {
                Some("html") => HTML,
                Some("js") => JS,
                Some("css") => CSS,
                Some("svg") => SVG,
                other => panic!("no content type for {other:?}"),
            };
            assert_eq!(asset.content_type, expected, "{}", asset.path);
        }
    }

    #[test]
    fn every_asset_is_in_one_of_the_folders_or_is_the_page() {
        for asset in ASSETS {
            let folder = asset.path.split('/').nth(1).unwrap();
            assert!(
                asset.path == "/index.html" || FOLDERS.contains(&folder),
                "{}",
                asset.path
            );
        }
    }

    /// The page runs no inline script and injects no HTML from data: the CSP would stop
    /// the first, and the second is the way data becomes script.
    #[test]
    fn no_inline_script_and_no_html_from_data() {
        let page = std::str::from_utf8(find("/").unwrap().bytes).unwrap();
        for tag in page.split("<script").skip(1) {
            let open = tag.split('>').next().unwrap();
            assert!(open.contains("src=\"/assets/"), "inline script: {open}");
        }
        assert!(!page.contains(" style=") && !page.contains("<style"));
        for attribute in page.split(" on").skip(1) {
            let name: String = attribute
                .chars()
                .take_while(char::is_ascii_lowercase)
                .collect();
            assert!(
                !attribute[name.len()..].starts_with('='),
                "inline handler on{name}"
            );
        }
        for asset in ASSETS.iter().filter(|a| a.content_type == JS) {
            let text = std::str::from_utf8(asset.bytes).unwrap();
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!text.contains(sink), "{} uses {sink}", asset.path);
            }
        }
    }

    #[test]
    fn the_policy_allows_only_the_server_itself() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(!CONTENT_SECURITY_POLICY.contains("http"));
        assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
        assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none'"));
    }
}
