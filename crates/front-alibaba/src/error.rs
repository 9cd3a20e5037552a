//! The one table from the model's error enum to Alibaba Cloud's codes and statuses, and the
//! body its SDKs read: `{"RequestId", "HostId", "Code", "Message", "Recommend"}`. A resource
//! another account owns is not found, exactly as a missing one (control already answers so).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xconnect_model::error::{AuthProblem, CidrProblem};
use xconnect_model::{Error, RequestId};

/// Alibaba's status and code for `e`.
pub fn code(e: &Error) -> (StatusCode, String) {
    use StatusCode as S;
    let (status, code): (StatusCode, &str) = match e {
        Error::Unauthenticated { problem, .. } => match problem {
            AuthProblem::UnknownAccessKey => (S::NOT_FOUND, "InvalidAccessKeyId.NotFound"),
            AuthProblem::SignatureMismatch | AuthProblem::ContentHashMismatch => {
                (S::BAD_REQUEST, "SignatureDoesNotMatch")
            }
            AuthProblem::MissingSignature | AuthProblem::MalformedSignature => (S::BAD_REQUEST, "IncompleteSignature"),
            AuthProblem::RequestExpired | AuthProblem::DatedBeforeStart => (S::BAD_REQUEST, "InvalidTimeStamp.Expired"),
            AuthProblem::NonceReused => (S::BAD_REQUEST, "SignatureNonceUsed"),
            _ => (S::BAD_REQUEST, "IncompleteSignature"),
        },
        Error::NotFound { kind, .. } => (S::NOT_FOUND, not_found(kind)),
        Error::InvalidCidr { problem, .. } => match problem {
            CidrProblem::Malformed | CidrProblem::HostBitsSet | CidrProblem::PrefixLength | CidrProblem::Family => {
                (S::BAD_REQUEST, "InvalidCidrBlock.Malformed")
            }
            _ => (S::BAD_REQUEST, "InvalidCidrBlock.Reserved"),
        },
        Error::UnknownRegion { .. } => (S::NOT_FOUND, "InvalidRegionId.NotFound"),
        Error::UnknownZone { .. } => (S::NOT_FOUND, "InvalidZoneId.NotFound"),
        Error::InvalidName { .. } => (S::BAD_REQUEST, "InvalidName.Malformed"),
        Error::InvalidDescription { .. } => (S::BAD_REQUEST, "InvalidDescription.Malformed"),
        Error::InvalidParameter { field, .. } => (S::BAD_REQUEST, invalid(field)),
        Error::Rejected { code: "PortRange.Reversed", .. } => (S::BAD_REQUEST, "InvalidPortRange.Malformed"),
        Error::Rejected { code: "MissingParameter", .. } => (S::BAD_REQUEST, "MissingParameter"),
        Error::Rejected { code: "InvalidAction.NotFound", .. } => (S::NOT_FOUND, "InvalidAction.NotFound"),
        // Control's conflicts in Alibaba's documented codes (CreateVSwitch, CreateRouteEntry).
        Error::Conflict { code: "VSwitch.CidrOverlap" | "VSwitch.CidrOverlapsRoute", .. } => {
            (S::BAD_REQUEST, "InvalidCidrBlock.Overlapped")
        }
        Error::Rejected { code: "VSwitch.CidrNotInVpc", .. } => (S::BAD_REQUEST, "InvalidParameter"),
        Error::Conflict { code: "RouteEntry.DestinationExists", .. } => (S::BAD_REQUEST, "InvalidCIDRBlock.Duplicate"),
        Error::Conflict { code: "SecurityGroupRule.Duplicate", .. } => (S::BAD_REQUEST, "InvalidPermission.Duplicate"),
        // Router interfaces, in the codes ConnectRouterInterface, ModifyRouterInterfaceAttribute
        // and DeleteRouterInterface document; a peer not named back is the "not set" code that
        // Alibaba's Terraform provider waits on while the other owner names the pair.
        Error::Rejected { code: "RouterInterface.NotInitiator", .. } => {
            (S::BAD_REQUEST, "IncorrectRole.NotInitiatingSide")
        }
        Error::Rejected { code: "RouterInterface.PeerNotSet" | "RouterInterface.PeerNotConfirmed", .. } => {
            (S::BAD_REQUEST, "IncorrectOppositeInterfaceInfo.NotSet")
        }
        Error::Rejected {
            code:
                "RouterInterface.PeerAccountMismatch"
                | "RouterInterface.PeerRegionMismatch"
                | "RouterInterface.PeerVRouterMismatch"
                | "RouterInterface.PeerNotAcceptor"
                | "RouterInterface.SameVRouter"
                | "RouterInterface.OwnPeer",
            ..
        }
        | Error::Conflict { code: "RouterInterface.PeerNotIdle", .. } => {
            (S::BAD_REQUEST, "IncorrectOppositeInterfaceInfo")
        }
        Error::Conflict { code: "RouterInterface.PairExists", .. } => (S::BAD_REQUEST, "Forbidden.OnlyOneConnection"),
        Error::Conflict { code: "RouterInterface.IncorrectStatus" | "RouterInterface.StillActive", .. } => {
            (S::BAD_REQUEST, "IncorrectStatus")
        }
        // CBN's documented codes (error centre, doc 68190 and CreateCenBandwidthPackage's page):
        // a limit beyond its package, regions outside it, a second package for one area pair.
        Error::Conflict { code: "InterRegionBandwidth.ExceedsPackage", .. } => {
            (S::BAD_REQUEST, "ParameterIllegal.BandwidthLimit")
        }
        Error::Rejected { code: "InterRegionBandwidth.RegionsOutsidePackage", .. } => {
            (S::BAD_REQUEST, "ParameterIllegal.RegionId")
        }
        Error::Conflict { code: "BandwidthPackage.AreaPairTaken", .. } => {
            (S::CONFLICT, "InvalidOperation.BwpForGeoSpanAlreadyAssociated")
        }
        // Seed 004's refusals in the codes of CreateVirtualBorderRouter's and
        // UpdateVirtualPhysicalConnection's pages (a VLAN id taken on the circuit; a circuit not
        // in service; a VLAN id a shared circuit's VBR may not take).
        Error::Conflict { code: "SharedPort.VlanInUse", .. } => (S::BAD_REQUEST, "InvalidVlanId.Used"),
        Error::Rejected { code: "Vbr.PortNotAccepted", .. } => {
            (S::BAD_REQUEST, "InvalidPhysicalConnectionId.NotEnabled")
        }
        Error::Rejected { code: "Vbr.VlanIdImmutable", .. } => (S::BAD_REQUEST, "IllegalParam.VlanId"),
        // A circuit whose state refuses the call (CreateVirtualPhysicalConnection's page): here a
        // shared port its tenant accepted, which its partner can no longer withdraw.
        Error::Conflict { code: "SharedPort.Accepted", .. } => (S::BAD_REQUEST, "IncorrectStatus.PhysicalConnection"),
        Error::Rejected { code, .. } | Error::Conflict { code, .. } => (S::BAD_REQUEST, code),
        Error::DependencyViolation { .. } => (S::BAD_REQUEST, "DependencyViolation"),
        Error::QuotaExceeded { .. } => (S::BAD_REQUEST, "QuotaExceeded"),
        Error::IdempotentParameterMismatch { .. } => (S::BAD_REQUEST, "IdempotentParameterMismatch"),
        Error::Forbidden { .. } => (S::FORBIDDEN, "Forbidden"),
        Error::MethodNotAllowed { .. } => (S::BAD_REQUEST, "InvalidParameter"),
        // Alibaba answers throttling with a 400; `x-acs-retry-after` (added by `refuse`) is what
        // makes its V3 SDKs raise their ThrottlingException and wait.
        Error::Throttled { .. } => (S::BAD_REQUEST, "Throttling.User"),
        Error::Unavailable { .. } => (S::SERVICE_UNAVAILABLE, "ServiceUnavailable"),
        Error::Internal { .. } => (S::INTERNAL_SERVER_ERROR, "InternalError"),
        _ => (S::BAD_REQUEST, "InvalidParameter"),
    };
    (status, code.to_owned())
}

/// Alibaba's code for a parameter that is not valid, by the field control names (ECS's
/// documented codes for a security group rule's words), else `InvalidParameter`.
fn invalid(field: &str) -> &'static str {
    let codes = [
        ("protocol", "InvalidIpProtocol.Malformed"),
        ("port_range", "InvalidPortRange.Malformed"),
        ("policy", "InvalidPolicy.Malformed"),
        ("priority", "InvalidPriority.Malformed"),
    ];
    codes.iter().find(|(f, _)| *f == field).map_or("InvalidParameter", |(_, code)| code)
}

/// Alibaba's NotFound code for a kind of resource, by the kind the model's ids name.
fn not_found(kind: &str) -> &'static str {
    use xconnect_model::*;
    let codes = [
        (VpcId::KIND, "InvalidVpcId.NotFound"),
        (VSwitchId::KIND, "InvalidVSwitchId.NotFound"),
        (VRouterId::KIND, "InvalidVRouterId.NotFound"),
        (RouteTableId::KIND, "InvalidRouteTableId.NotFound"),
        (RouteEntryId::KIND, "InvalidRouteEntry.NotFound"),
        (RouterInterfaceId::KIND, "InvalidRouterInterfaceId.NotFound"),
        (SecurityGroupId::KIND, "InvalidSecurityGroupId.NotFound"),
        (SecurityGroupRuleId::KIND, "InvalidSecurityGroupRuleId.NotFound"),
        (InstanceId::KIND, "InvalidInstanceId.NotFound"),
        (AccountId::KIND, "InvalidOwnerId.NotFound"),
        // A shared port is a (shared) physical connection in Alibaba's words.
        (PhysicalConnectionId::KIND, "InvalidPhysicalConnectionId.NotFound"),
        (SharedPortId::KIND, "InvalidPhysicalConnectionId.NotFound"),
        (VbrId::KIND, "InvalidVbrId.NotFound"),
        // NIS documents no NotFound codes of its own; these follow the pattern of the others.
        (NetworkPathId::KIND, "InvalidNetworkPathId.NotFound"),
        (PathAnalysisId::KIND, "InvalidNetworkReachableAnalysisId.NotFound"),
        // CBN's codes for a CEN, a package and a child instance that do not exist (as the
        // alicloud Terraform provider reads them: ParameterCenInstanceId, ParameterBwpInstanceId,
        // ParameterInstanceId).
        (HubId::KIND, "ParameterCenInstanceId"),
        (BandwidthPackageId::KIND, "ParameterBwpInstanceId"),
        (AttachmentId::KIND, "ParameterInstanceId"),
    ];
    codes.iter().find(|(k, _)| *k == kind).map_or("InvalidParameter.NotFound", |(_, code)| code)
}

/// The refusal of this front, for the shared request layer and the actions alike.
pub fn refuse(e: Error, id: &RequestId) -> Response {
    refuse_in(e, id, false)
}

/// The refusal, in XML when the request asked for it (`Format=XML`). The shared request layer
/// refuses before the parameters are read, so its refusals are always JSON.
pub fn refuse_in(e: Error, id: &RequestId, xml: bool) -> Response {
    let (status, code) = code(&e);
    if let Error::Internal { detail } = &e {
        // The caller sees only that it failed; the detail stays in the log under the id.
        tracing::error!(request_id = %id, %detail, "internal error");
    }
    let body = serde_json::json!({
        "RequestId": id.as_str(),
        "HostId": "xconnect",
        "Code": code,
        "Message": e.to_string(),
        "Recommend": "",
    });
    let mut resp = if xml {
        let serde_json::Value::Object(fields) = body else { unreachable!("the body is an object") };
        (status, [(axum::http::header::CONTENT_TYPE, "application/xml")], crate::xml::document("Error", &fields))
            .into_response()
    } else {
        (status, axum::Json(body)).into_response()
    };
    if let Error::Throttled { retry_after, .. } = &e {
        // In milliseconds, as the V3 SDKs read it (darabonba sleeps that many).
        resp.headers_mut().insert("x-acs-retry-after", axum::http::HeaderValue::from(retry_after.saturating_mul(1000)));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_alibabas_400_with_the_wait_in_milliseconds() {
        let id = RequestId::from_trusted("req-aaaaaaaaaaaaaaaaaaaaaaaa".into());
        let resp = refuse(Error::Throttled { rate: 1, burst: 2, retry_after: 3 }, &id);
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert_eq!(resp.headers()["x-acs-retry-after"], "3000");
        assert_eq!(code(&Error::Throttled { rate: 1, burst: 2, retry_after: 3 }).1, "Throttling.User");
    }

    #[test]
    fn a_missing_vpc_is_alibabas_not_found() {
        let e = Error::not_found(xconnect_model::VpcId::KIND, "vpc-aaaaaaaaaaaaaaaaaaaaaaaa");
        assert_eq!(code(&e), (StatusCode::NOT_FOUND, "InvalidVpcId.NotFound".to_owned()));
    }
}
