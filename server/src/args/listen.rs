//! `--listen`: an address in the shape HOST:PORT, checked when the arguments are parsed, so
//! that a malformed one is a usage error (a name is resolved when the server starts).

use std::net::SocketAddr;

/// What a `--listen` that is no address is told.
pub const SHAPE: &str = "not an address like 127.0.0.1:8787";

/// A `--listen`: an IP address and a port (IPv6 in brackets), or a name and a port.
pub fn parse(raw: &str) -> Result<String, String> {
    if raw.parse::<SocketAddr>().is_ok() {
        return Ok(raw.to_owned());
    }
    match raw.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty()
                && !host.contains(|c: char| c == ':' || c.is_whitespace())
                && port.parse::<u16>().is_ok() =>
        {
            Ok(raw.to_owned())
        }
        _ => Err(SHAPE.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_names_with_a_port_are_taken() {
        for good in [
            "127.0.0.1:8787",
            "0.0.0.0:80",
            "[::1]:0",
            "[::]:8787",
            "localhost:0",
        ] {
            assert_eq!(parse(good).as_deref(), Ok(good), "{good}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_shape_wanted() {
        for bad in [
            "nonsense",
            ":80",
            "localhost:",
            "localhost:99999",
            "::1",
            "[::1]",
            "a b:80",
            "",
        ] {
            assert_eq!(parse(bad), Err(SHAPE.to_owned()), "{bad:?}");
        }
    }
}
