//! The web inbox's server side, apart from the routes: the embedded page and scripts
//! (`assets`), the session cookie's exact text (`cookie`) and one-time login codes
//! (`login_code`). The page itself speaks only the public API, like any other client
//! (DESIGN.md, "The web inbox"); what is here is pure and tested byte for byte.

pub mod assets;
pub mod cookie;
pub mod login_code;
