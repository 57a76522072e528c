//! The hub's own tests: fan-out, buffers, caps, and what the keeper closes.

use super::*;

/// No caps: the tests that are not about them.
const UNCAPPED: StreamCaps = StreamCaps {
    total: usize::MAX,
    per_user: usize::MAX,
};

/// Room for `n` events, and bytes enough for any of them.
fn events(n: usize) -> BufferLimits {
    BufferLimits {
        events: n,
        bytes: 1 << 20,
    }
}

fn sub(hub: &Arc<Hub>, user: &str) -> Result<Subscription, StreamRefused> {
    hub.subscribe(user, [0; 32], ConnectionHandle::detached())
}

fn deleted(user: &str, id: &str) -> InboxEvent {
    InboxEvent::Deleted {
        user_id: user.into(),
        id: id.into(),
        unread_count: 0,
    }
}

#[tokio::test]
async fn events_reach_only_their_users_streams() {
    let hub = Hub::new(events(8), UNCAPPED, Arc::default());
    let mut alice = sub(&hub, "alice").unwrap();
    let mut bob = sub(&hub, "bob").unwrap();
    hub.publish(&[deleted("alice", "n1")]);
    let frame = alice.recv().await.unwrap();
    assert!(
        std::str::from_utf8(&frame.bytes)
            .unwrap()
            .contains("\"n1\"")
    );
    assert!(bob.rx.try_recv().is_err());
}

#[tokio::test]
async fn a_full_stream_is_closed_after_its_buffer() {
    let hub = Hub::new(events(2), UNCAPPED, Arc::default());
    let mut slow = sub(&hub, "alice").unwrap();
    let mut fast = sub(&hub, "alice").unwrap();
    for i in 0..3 {
        hub.publish(&[deleted("alice", &i.to_string())]);
        fast.recv().await.unwrap();
    }
    assert!(slow.recv().await.is_some());
    assert!(slow.recv().await.is_some());
    assert!(
        slow.recv().await.is_none(),
        "closed after the buffer drained"
    );
    hub.publish(&[deleted("alice", "later")]);
    assert!(fast.recv().await.is_some(), "the other stream goes on");
}

#[tokio::test]
async fn a_batch_arrives_in_order_with_the_sequence_numbers() {
    let hub = Hub::new(events(8), UNCAPPED, Arc::default());
    let mut alice = sub(&hub, "alice").unwrap();
    let created = InboxEvent::Created(crate::model::Notification::sample(9, "n9", "alice"));
    hub.publish(&[created.clone(), deleted("bob", "b"), deleted("alice", "n9")]);
    let first = alice.recv().await.unwrap();
    assert_eq!(first.seq, Some(9));
    assert_eq!(first.bytes, events::render(&created).unwrap());
    let second = alice.recv().await.unwrap();
    assert_eq!(second.seq, None);
    assert!(second.bytes.starts_with(b"event: deleted\n"));
    assert!(alice.rx.try_recv().is_err());
}

#[test]
fn streams_are_capped_per_user_and_in_all() {
    let caps = StreamCaps {
        total: 3,
        per_user: 2,
    };
    let hub = Hub::new(events(2), caps, Arc::default());
    let _a1 = sub(&hub, "alice").unwrap();
    let a2 = sub(&hub, "alice").unwrap();
    assert_eq!(sub(&hub, "alice").err(), Some(StreamRefused::UserFull(2)));
    let _b1 = sub(&hub, "bob").unwrap();
    assert_eq!(sub(&hub, "carol").err(), Some(StreamRefused::ServerFull(3)));
    drop(a2);
    assert!(
        sub(&hub, "carol").is_ok(),
        "a closed stream frees its place"
    );
}

#[test]
fn dropping_a_subscription_unregisters_it() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(events(2), UNCAPPED, Arc::clone(&metrics));
    let sub = sub(&hub, "alice").unwrap();
    assert_eq!(metrics.streams_open.load(Ordering::Relaxed), 1);
    drop(sub);
    assert_eq!(metrics.streams_open.load(Ordering::Relaxed), 0);
    assert!(hub.users().is_empty());
}

#[tokio::test]
async fn a_lagging_stream_has_its_connection_closed_at_once() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(events(1), UNCAPPED, Arc::clone(&metrics));
    let connection = ConnectionHandle::detached();
    let _stalled = hub.subscribe("alice", [0; 32], connection.clone()).unwrap();
    hub.publish(&[deleted("alice", "1")]);
    assert!(!connection.is_closed());
    hub.publish(&[deleted("alice", "2")]);
    assert!(connection.is_closed(), "closed when its buffer overflowed");
    assert_eq!(metrics.streams_lagged.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn a_stream_is_bounded_in_bytes_too() {
    let limits = BufferLimits {
        events: 1000,
        bytes: 200,
    };
    let hub = Hub::new(limits, UNCAPPED, Arc::default());
    let connection = ConnectionHandle::detached();
    let mut alice = hub.subscribe("alice", [0; 32], connection.clone()).unwrap();
    let mut published = 0;
    while !connection.is_closed() {
        hub.publish(&[deleted("alice", &"x".repeat(40))]);
        published += 1;
        assert!(published < 10, "never closed");
    }
    let mut queued = 0;
    while let Some(frame) = alice.recv().await {
        queued += frame.bytes.len();
    }
    assert!(queued <= 200, "{queued} bytes queued");
}

#[test]
fn the_keeper_closes_a_stream_whose_connection_stopped_asking() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(events(8), UNCAPPED, Arc::clone(&metrics));
    let (reading, stalled) = (ConnectionHandle::detached(), ConnectionHandle::detached());
    let a = hub.subscribe("alice", [0; 32], reading.clone()).unwrap();
    let b = hub.subscribe("alice", [0; 32], stalled.clone()).unwrap();
    let slot_of = |s: &Subscription| s.id % keeper::SLOTS;
    for _ in 0..2 {
        a.asked();
        a.handed_over();
        a.asked();
        b.asked();
        b.handed_over();
        hub.visit(slot_of(&a));
        hub.visit(slot_of(&b));
    }
    assert!(!reading.is_closed(), "it asks for more after each frame");
    assert!(
        !stalled.is_closed(),
        "it handed over a frame since the last visit"
    );
    hub.visit(slot_of(&b));
    assert!(
        !stalled.is_closed(),
        "waiting, but not for keeper::STALL_MIN yet"
    );
    for subscriber in hub.users().values_mut().flatten() {
        subscriber.moving_at -= keeper::STALL_MIN;
    }
    hub.visit(slot_of(&b));
    assert!(
        stalled.is_closed(),
        "nothing asked for in a whole visit and STALL_MIN"
    );
    assert_eq!(metrics.streams_stalled.load(Ordering::Relaxed), 1);
}

#[test]
fn close_all_closes_every_streams_connection() {
    let hub = Hub::new(events(8), UNCAPPED, Arc::default());
    let connections = [ConnectionHandle::detached(), ConnectionHandle::detached()];
    let _a = hub.subscribe("alice", [0; 32], connections[0].clone());
    let _b = hub.subscribe("bob", [0; 32], connections[1].clone());
    hub.close_all();
    assert!(connections.iter().all(ConnectionHandle::is_closed));
}

#[tokio::test]
async fn pings_do_not_pile_up_behind_frames_not_yet_taken() {
    let metrics = Arc::new(Metrics::default());
    let hub = Hub::new(events(2), UNCAPPED, Arc::clone(&metrics));
    let connection = ConnectionHandle::detached();
    let mut replaying = hub.subscribe("alice", [0; 32], connection.clone()).unwrap();
    let ping = Arc::new(Frame {
        seq: None,
        bytes: events::ping(0),
    });
    for _ in 0..5 {
        hub.ping("alice", replaying.id, &ping);
    }
    assert!(!connection.is_closed(), "one ping queued, the rest skipped");
    assert!(replaying.recv().await.is_some());
    assert!(replaying.rx.try_recv().is_err());
    assert_eq!(metrics.streams_lagged.load(Ordering::Relaxed), 0);
}
