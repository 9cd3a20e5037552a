//! What an account may see of an answer: hops in its own network in full, hops in another
//! account's network only as "in account X's network", with the verdict, the blocking code and
//! the hop kinds kept exact. The operator sees everything.

use xconnect_model::AccountId;
use xconnect_model::connectivity::ConnectivityAnswer;

/// Hides from `viewer` what other accounts' hops would reveal: the components checked, what the
/// check found, and a fix that names their resources.
pub fn redact(mut answer: ConnectivityAnswer, viewer: &AccountId, operator: bool) -> ConnectivityAnswer {
    if operator {
        return answer;
    }
    for hop in answer.hops.iter_mut().filter(|h| &h.account_id != viewer) {
        hop.component = format!("in account {}'s network", hop.account_id);
        hop.check = if hop.passed { "passed".to_owned() } else { "stopped the packet".to_owned() };
    }
    if let Some(b) = &mut answer.blocked
        && answer.hops.get(b.hop).is_some_and(|h| &h.account_id != viewer)
    {
        b.fix = format!("the packet is stopped in account {}'s network: ask its owner", answer.hops[b.hop].account_id);
    }
    if (answer.to_instance_id.is_some() || answer.to_host_id.is_some())
        && answer.hops.iter().any(|h| &h.account_id != viewer)
    {
        // The instance that holds the address belongs to the last hop's account; its id is that
        // account's to give.
        let last = answer.hops.iter().rev().find(|h| h.kind == xconnect_model::connectivity::HopKind::Delivery);
        if last.is_some_and(|h| &h.account_id != viewer) {
            answer.to_instance_id = None;
            answer.to_host_id = None;
        }
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use xconnect_model::connectivity::*;
    use xconnect_model::{ID_ENTROPY_BYTES, InstanceId, Protocol, ResourceId};

    fn id<T: ResourceId>(n: u8) -> T {
        T::from_entropy(&[n; ID_ENTROPY_BYTES])
    }

    fn hop(kind: HopKind, account: u8, passed: bool) -> Hop {
        Hop { kind, component: format!("secret-{account}"), account_id: id(account), check: "details".into(), passed }
    }

    fn answer() -> ConnectivityAnswer {
        ConnectivityAnswer {
            reachable: false,
            from_instance_id: Some(id::<InstanceId>(9)),
            from_host_id: None,
            source_ip: "10.0.0.1".parse().unwrap(),
            destination_ip: "172.16.0.1".parse().unwrap(),
            protocol: Protocol::Icmp,
            port: None,
            to_instance_id: Some(id(8)),
            to_host_id: None,
            bandwidth_kbps: None,
            test_bandwidth_only: false,
            hops: vec![
                hop(HopKind::Egress, 1, true),
                hop(HopKind::Route, 1, true),
                hop(HopKind::Delivery, 2, true),
                hop(HopKind::Ingress, 2, false),
            ],
            blocked: Some(Blocked { code: BlockCode::IngressDenied, hop: 3, fix: "add a rule to sg-theirs".into() }),
        }
    }

    #[test]
    fn another_accounts_hops_show_only_whose_they_are() {
        let a = redact(answer(), &id(1), false);
        assert_eq!(a.hops[0].component, "secret-1", "one's own hops stay whole");
        assert_eq!(a.hops[1].check, "details");
        for h in &a.hops[2..] {
            assert!(h.component.starts_with("in account acc-") && !h.component.contains("secret"), "{}", h.component);
            assert!(!h.check.contains("details"));
        }
        // The verdict stays exact; the fix and the other side's instance are not shown.
        assert!(!a.reachable);
        assert_eq!(a.blocked.as_ref().unwrap().code, BlockCode::IngressDenied);
        assert!(!a.blocked.unwrap().fix.contains("sg-theirs"));
        assert_eq!(a.to_instance_id, None);
        assert_eq!(
            a.hops.iter().map(|h| h.kind).collect::<Vec<_>>(),
            answer().hops.iter().map(|h| h.kind).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_operator_and_the_owner_of_every_hop_see_all() {
        assert_eq!(redact(answer(), &id(3), true), answer());
        let mut mine = answer();
        for h in &mut mine.hops {
            h.account_id = id(1);
        }
        assert_eq!(redact(mine.clone(), &id(1), false), mine);
    }
}
