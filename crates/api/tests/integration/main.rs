//! Integration tests of the API over real HTTP against a real server and store: one binary, a
//! file per concern.

mod harness;

mod bad_input;
mod billing;
mod connectivity;
mod endpoints;
mod filters;
mod fronts;
mod hubs;
mod hybrid;
mod openapi;
mod peering;
mod signing;
mod stranger;
mod walk;

use xconnect_client::Client;
use xconnect_model::wire::*;
use xconnect_model::*;

/// One of everything, owned by one tenant: what the stranger and bad-input tests aim at.
pub struct World {
    pub vpc: Vpc,
    pub vswitch: VSwitch,
    pub group: SecurityGroup,
    pub other_group: SecurityGroup,
    pub rule: SecurityGroupRule,
    pub instance: Instance,
    pub route: RouteEntry,
}

impl World {
    /// Seed 003's account A: VPC 192.168.0.0/16 in China (Beijing), vswitch 192.168.100.0/24.
    pub async fn build(c: &Client) -> World {
        let vpc = c
            .vpc_create(&VpcCreateRequest {
                region: "China (Beijing)".into(),
                cidr_block: "192.168.0.0/16".into(),
                name: Some("vpc-a".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let vswitch = c
            .vswitch_create(&VSwitchCreateRequest {
                vpc_id: vpc.id.to_string(),
                zone: "cn-beijing-a".into(),
                cidr_block: "192.168.100.0/24".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let group = c
            .security_group_create(&SecurityGroupCreateRequest { vpc_id: vpc.id.to_string(), ..Default::default() })
            .await
            .unwrap();
        let other_group = c
            .security_group_create(&SecurityGroupCreateRequest {
                vpc_id: vpc.id.to_string(),
                name: Some("second".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let rule = c
            .security_group_rule_create(
                group.id.as_str(),
                &SecurityGroupRuleCreateRequest {
                    direction: "ingress".into(),
                    protocol: "icmp".into(),
                    cidr_block: Some("172.16.0.0/12".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let instance = c
            .instance_create(&InstanceCreateRequest {
                vswitch_id: vswitch.id.to_string(),
                security_group_ids: vec![group.id.to_string()],
                private_ip: Some("192.168.100.10".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let route = c
            .route_entry_create(&RouteEntryCreateRequest {
                route_table_id: vpc.route_table_id.to_string(),
                destination_cidr_block: "10.0.0.0/8".into(),
                next_hop_type: "blackhole".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        World { vpc, vswitch, group, other_group, rule, instance, route }
    }
}
