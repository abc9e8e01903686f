//! Pages of the value list kept as they were sent, for the dashboards that poll the same pages.
//!
//! A kept page is valid while the change feed's head (the id of the last audit event) is what it
//! was when the page was read. Every committed write records an audit event in its transaction,
//! and events take their ids in commit order (`AuditEventRow::record`), so the head moves with
//! every write. The head is read in the same statement as the caller's check, before the page:
//! a page read at head `h` holds at least every write up to `h`. A write committed meanwhile may
//! be in it too; it moved the head past `h`, so the page is dropped at the next request. Each
//! process keeps its own pages and reads the head from the database at every request, so a
//! write through any process is seen by all at once, as the caller's revocation is.
//!
//! The same head is the page's `ETag`: `If-None-Match` with it is answered 304 without reading
//! the page, whether or not this process kept it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;

/// A page as it was sent: its JSON body and its `Link` header.
#[derive(Debug)]
pub struct KeptPage {
    pub body: Bytes,
    pub link: Option<String>,
}

/// The kept pages of one process, up to a budget of bytes.
#[derive(Debug)]
pub struct PageCache {
    budget: usize,
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    head: i64,
    bytes: usize,
    pages: HashMap<String, Arc<KeptPage>>,
}

impl Kept {
    /// Drops every page when the head moved (any other head: a restored database moves it back).
    fn at(&mut self, head: i64) {
        if self.head != head {
            self.pages.clear();
            self.bytes = 0;
            self.head = head;
        }
    }
}

impl PageCache {
    /// Pages up to `budget` bytes in all; 0 keeps none.
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            kept: Mutex::new(Kept::default()),
        }
    }

    /// The page kept under `key`, if it was read at feed head `head`.
    pub fn get(&self, key: &str, head: i64) -> Option<Arc<KeptPage>> {
        if self.budget == 0 {
            return None;
        }
        let mut kept = self.lock();
        kept.at(head);
        kept.pages.get(key).cloned()
    }

    /// Keeps `page`, read at feed head `head`, under `key`. No page takes more than a sixteenth
    /// of the budget; when the budget is spent every page is dropped (the next polls read them
    /// again), which bounds memory without bookkeeping per request.
    pub fn put(&self, key: String, head: i64, page: Arc<KeptPage>) {
        let size = key.len() + page.body.len();
        if size > self.budget / 16 {
            return;
        }
        let mut kept = self.lock();
        kept.at(head);
        if kept.bytes + size > self.budget {
            kept.pages.clear();
            kept.bytes = 0;
        }
        let key_len = key.len();
        if let Some(old) = kept.pages.insert(key, page) {
            kept.bytes -= key_len + old.body.len();
        }
        kept.bytes += size;
    }

    /// Bytes held, for tests.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    fn lock(&self) -> MutexGuard<'_, Kept> {
        // A panic while holding the lock leaves plain data behind; it is still consistent.
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `ETag` of a page read at feed head `head`.
pub fn etag(head: i64) -> String {
    format!("\"feed-{head}\"")
}

/// The 200 of a page read at head `head`.
pub fn ok(head: i64, page: &KeptPage) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::ETAG, etag(head)));
    if let Some(link) = &page.link {
        res.insert_header((header::LINK, link.clone()));
    }
    res.content_type("application/json").body(page.body.clone())
}

/// The 304 of a page whose tag the caller holds.
pub fn unchanged(head: i64) -> HttpResponse {
    HttpResponse::NotModified()
        .insert_header((header::ETAG, etag(head)))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize) -> Arc<KeptPage> {
        Arc::new(KeptPage {
            body: Bytes::from(vec![b'x'; n]),
            link: None,
        })
    }

    #[test]
    fn a_page_is_served_only_at_the_head_it_was_read_at() {
        let cache = PageCache::new(1 << 20);
        cache.put("a".into(), 7, page(10));
        assert!(cache.get("a", 7).is_some());
        assert!(cache.get("b", 7).is_none());
        assert!(cache.get("a", 8).is_none(), "a write moved the head");
        assert!(
            cache.get("a", 7).is_none(),
            "dropped, not kept for an older head"
        );
    }

    #[test]
    fn the_budget_bounds_what_is_held() {
        let cache = PageCache::new(1600);
        for i in 0..100 {
            cache.put(format!("k{i}"), 1, page(99));
            assert!(cache.bytes() <= 1600, "{} bytes held", cache.bytes());
        }
        cache.put("big".into(), 1, page(101));
        assert!(
            cache.get("big", 1).is_none(),
            "over a sixteenth of the budget"
        );
        assert_eq!(PageCache::new(0).get("k1", 1).map(|_| ()), None);
    }
}
