//! The tokens a server has looked up, kept in memory so that a request does not read the
//! database to learn who it is from. Everything kept is dropped as soon as a token may have
//! been revoked, by this process or another ([`RevocationMark`]): a request that starts
//! after a revocation was committed and announced never finds the revoked token here.
//!
//! A lookup racing a revocation must not keep what it read before the revocation: each
//! lookup notes the generation it started under, and what it read is kept only if the
//! generation is still the same (see [`TokenCache::remember`]). Unknown tokens are never
//! kept (`failed_auth` limits those).

use std::collections::HashMap;
use std::sync::Mutex;

use super::revocations::{Generation, RevocationMark};
use crate::model::Principal;

/// At most this many tokens are kept; past it, the cache starts again from empty.
const CAPACITY: usize = 65_536;

/// The tokens looked up since the last revocation.
pub struct TokenCache {
    /// `None`: nothing is kept (the admin commands could not announce to this server).
    mark: Option<RevocationMark>,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The mark's generation these principals were read under; `None` keeps nothing.
    generation: Option<Generation>,
    /// Counts this process's own revocations ([`TokenCache::forget_all`]), which do not
    /// wait for the mark.
    epoch: u64,
    principals: HashMap<[u8; 32], Principal>,
}

impl Kept {
    /// Where the cache stands: a lookup started now is stamped with it.
    fn stamp(&self) -> Stamp {
        Stamp {
            generation: self.generation,
            epoch: self.epoch,
        }
    }
}

/// When a lookup started: what it reads is kept only if nothing was revoked since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    generation: Option<Generation>,
    epoch: u64,
}

/// A lookup's start: the principal if it is kept, and the stamp to remember it under.
pub struct Lookup {
    pub kept: Option<Principal>,
    pub stamp: Stamp,
}

impl TokenCache {
    /// A cache that watches `mark`; without one, it keeps nothing.
    pub fn new(mark: Option<RevocationMark>) -> TokenCache {
        TokenCache {
            mark,
            kept: Mutex::new(Kept::default()),
        }
    }

    /// This process committed a revocation: forgets everything at once, then announces it
    /// on the mark, so that other server processes on the same file forget too. Should the
    /// announcement fail, they keep their tokens until the next one or their restart.
    pub fn revoked(&self) -> Result<(), super::StoreError> {
        self.forget_all();
        self.announce()
    }

    /// Announces a revocation on the mark this cache watches, if any.
    fn announce(&self) -> Result<(), super::StoreError> {
        self.mark.as_ref().map_or(Ok(()), RevocationMark::announce)
    }

    /// The principal kept for `hash`, after dropping everything if the mark changed.
    pub fn lookup(&self, hash: &[u8; 32]) -> Lookup {
        let generation = self.mark.as_ref().and_then(RevocationMark::generation);
        let mut kept = self.lock();
        if kept.generation != generation {
            kept.principals.clear();
            kept.generation = generation;
        }
        Lookup {
            kept: generation.and(kept.principals.get(hash).cloned()),
            stamp: kept.stamp(),
        }
    }

    /// Keeps what a lookup read from the database, unless a revocation came since the lookup
    /// started (`stamp`, from [`TokenCache::lookup`]).
    pub fn remember(&self, hash: [u8; 32], principal: &Principal, stamp: Stamp) {
        let mut kept = self.lock();
        if stamp.generation.is_none() || stamp != kept.stamp() {
            return;
        }
        if kept.principals.len() >= CAPACITY {
            kept.principals.clear();
        }
        kept.principals.insert(hash, principal.clone());
    }

    /// Notes that the token with this hash was used at `at_ms`, as the database will.
    pub fn touched(&self, hash: &[u8; 32], at_ms: i64) {
        if let Some(principal) = self.lock().principals.get_mut(hash) {
            principal.last_used_at = Some(at_ms);
        }
    }

    /// Drops everything kept, and what lookups under way read.
    fn forget_all(&self) {
        let mut kept = self.lock();
        kept.epoch += 1;
        kept.principals.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Nothing here can leave the map half-changed; a panic elsewhere does not poison it.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scope;

    fn alice() -> Principal {
        Principal {
            token_id: 7,
            scope: Scope::User("alice".into()),
            last_used_at: None,
        }
    }

    fn cache(dir: &std::path::Path) -> TokenCache {
        let mark = RevocationMark::beside(&dir.join("notif.db"));
        mark.ensure().unwrap();
        TokenCache::new(Some(mark))
    }

    #[test]
    fn a_token_is_kept_until_a_revocation_is_announced() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let lookup = cache.lookup(&[1; 32]);
        assert_eq!(lookup.kept, None);
        cache.remember([1; 32], &alice(), lookup.stamp);
        assert_eq!(cache.lookup(&[1; 32]).kept, Some(alice()));
        cache.announce().unwrap();
        assert_eq!(cache.lookup(&[1; 32]).kept, None);
    }

    /// Starts a lookup of token 1, runs `between` (a revocation, and whatever else), then
    /// has the lookup remember what it read: it must not be kept.
    fn assert_not_kept_across(cache: &TokenCache, between: impl FnOnce(&TokenCache)) {
        let before = cache.lookup(&[1; 32]).stamp;
        between(cache);
        cache.remember([1; 32], &alice(), before);
        assert_eq!(cache.lookup(&[1; 32]).kept, None);
    }

    #[test]
    fn a_lookup_that_raced_a_revocation_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        assert_not_kept_across(&cache, |cache| {
            cache.announce().unwrap();
            // Another request sees the revocation before the first one remembers.
            assert_eq!(cache.lookup(&[2; 32]).kept, None);
        });
        // Nor when nobody looked in between.
        assert_not_kept_across(&cache, |cache| cache.announce().unwrap());
    }

    #[test]
    fn nothing_is_kept_while_the_mark_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(Some(RevocationMark::beside(&dir.path().join("notif.db"))));
        let lookup = cache.lookup(&[1; 32]);
        assert_eq!(lookup.stamp.generation, None);
        cache.remember([1; 32], &alice(), lookup.stamp);
        assert_eq!(cache.lookup(&[1; 32]).kept, None);
    }

    #[test]
    fn nothing_is_kept_without_a_mark() {
        let cache = TokenCache::new(None);
        let lookup = cache.lookup(&[1; 32]);
        cache.remember([1; 32], &alice(), lookup.stamp);
        assert_eq!(cache.lookup(&[1; 32]).kept, None);
        cache.announce().unwrap();
    }

    #[test]
    fn a_use_is_noted_and_forget_all_drops_everything() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let lookup = cache.lookup(&[1; 32]);
        cache.remember([1; 32], &alice(), lookup.stamp);
        cache.touched(&[1; 32], 1_000);
        let kept = cache.lookup(&[1; 32]).kept.unwrap();
        assert_eq!(kept.last_used_at, Some(1_000));
        cache.forget_all();
        assert_eq!(cache.lookup(&[1; 32]).kept, None);
    }

    #[test]
    fn a_lookup_under_way_when_this_process_revoked_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        // Forgetting alone (without the mark's change) is enough, should the announcement fail.
        assert_not_kept_across(&cache, TokenCache::forget_all);
        assert_not_kept_across(&cache, |cache| cache.revoked().unwrap());
    }

    /// Keeps a token, runs `between` on the database's directory, then announces two
    /// revocations as an admin command would (a mark of its own); whether the token was
    /// served after either. Each case below once let a revoked token through: a mark kept
    /// open and looked at with `fstat` missed announcements made to a new file at its path.
    #[cfg(unix)]
    fn served_after_revocation(between: impl FnOnce(&std::path::Path)) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let first = cache.lookup(&[1; 32]);
        cache.remember([1; 32], &alice(), first.stamp);
        assert_eq!(cache.lookup(&[1; 32]).kept, Some(alice()), "kept before");
        between(dir.path());
        let mut served = false;
        for _ in 0..2 {
            RevocationMark::beside(&dir.path().join("notif.db"))
                .announce()
                .unwrap();
            served |= cache.lookup(&[1; 32]).kept.is_some();
        }
        served
    }

    #[cfg(unix)]
    const MARK: &str = "notif.db-revocations";

    #[cfg(unix)]
    #[test]
    fn a_revocation_is_seen_whatever_became_of_the_mark_file() {
        use std::fs;
        assert!(!served_after_revocation(|_| {}), "left alone");
        assert!(
            !served_after_revocation(|dir| fs::remove_file(dir.join(MARK)).unwrap()),
            "removed"
        );
        assert!(
            !served_after_revocation(|dir| fs::rename(dir.join(MARK), dir.join("moved")).unwrap()),
            "renamed away"
        );
        assert!(
            !served_after_revocation(|dir| {
                fs::hard_link(dir.join(MARK), dir.join("snapshot")).unwrap();
                fs::remove_file(dir.join(MARK)).unwrap();
            }),
            "hard-linked, then removed"
        );
        assert!(
            !served_after_revocation(|dir| {
                fs::hard_link(dir.join(MARK), dir.join("snapshot")).unwrap();
                fs::write(dir.join("new"), b"r").unwrap();
                fs::rename(dir.join("new"), dir.join(MARK)).unwrap();
            }),
            "hard-linked, then replaced by a rename"
        );
    }
}
