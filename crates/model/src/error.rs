//! The one error type of the whole service. Every failure a caller can see is a variant here,
//! with a stable code and a message that says what to change; the API maps the category to an
//! HTTP status in one place.

use std::fmt;

/// How an error is answered: the API turns each category into exactly one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The request is not of the form the OpenAPI document states (a wrong type, a value out of
    /// its pattern, enum or range, a missing field): 400.
    BadRequest,
    /// The request has the documented form, but its values break a rule no schema can state:
    /// host bits below a prefix, a special-purpose block, a block outside its VPC's, a zone of
    /// another region, a range that runs backwards: 422.
    Unprocessable,
    /// No valid signature: 401.
    Unauthenticated,
    /// The caller is known but its kind of account may not do this: 403.
    Forbidden,
    /// The resource does not exist, or the caller may not know that it does: 404.
    NotFound,
    /// The route exists, but not with this method: 405.
    MethodNotAllowed,
    /// The request conflicts with the current state (overlap, in use, quota): 409.
    Conflict,
    /// The caller's account sent more requests than its rate: 429, with when to retry.
    TooManyRequests,
    /// The store is overloaded or unreachable; retrying later may work: 503.
    Unavailable,
    /// A bug or an unexpected store failure: 500.
    Internal,
}

/// Which part of a CIDR block is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CidrProblem {
    /// Not an address/prefix at all.
    Malformed,
    /// Bits set below the prefix length, e.g. 192.168.1.0/16.
    HostBitsSet,
    /// The prefix length is outside what this field allows.
    PrefixLength,
    /// IPv4 where IPv6 is expected or the other way round.
    Family,
    /// A block of a special-purpose range (loopback, link-local, multicast, reserved, this
    /// network, or the shared space the data plane links its routers with).
    SpecialPurpose,
}

impl CidrProblem {
    /// A block's form (an address, a slash, a prefix length the field takes) is the document's
    /// to state; the bits below its prefix and the ranges it overlaps are not.
    fn category(self) -> Category {
        match self {
            CidrProblem::Malformed | CidrProblem::PrefixLength | CidrProblem::Family => Category::BadRequest,
            CidrProblem::HostBitsSet | CidrProblem::SpecialPurpose => Category::Unprocessable,
        }
    }

    fn code(self) -> &'static str {
        match self {
            CidrProblem::Malformed => "InvalidCidr.Malformed",
            CidrProblem::HostBitsSet => "InvalidCidr.HostBitsSet",
            CidrProblem::PrefixLength => "InvalidCidr.PrefixLength",
            CidrProblem::Family => "InvalidCidr.Family",
            CidrProblem::SpecialPurpose => "InvalidCidr.SpecialPurpose",
        }
    }
}

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthProblem {
    /// No Authorization header, or one of the required signed headers is absent.
    MissingSignature,
    /// The Authorization header or a signed header is malformed.
    MalformedSignature,
    /// The access key id is not known (or was deleted).
    UnknownAccessKey,
    /// The signature does not match the request.
    SignatureMismatch,
    /// The body's hash is not the one that was signed.
    ContentHashMismatch,
    /// `x-acs-date` is more than the allowed skew away from the server's clock.
    RequestExpired,
    /// `x-acs-signature-nonce` was already used within the replay window.
    NonceReused,
    /// The request is dated before the server started, and may have been answered before.
    DatedBeforeStart,
}

impl AuthProblem {
    fn code(self) -> &'static str {
        match self {
            AuthProblem::MissingSignature => "Unauthenticated.MissingSignature",
            AuthProblem::MalformedSignature => "Unauthenticated.MalformedSignature",
            AuthProblem::UnknownAccessKey => "Unauthenticated.UnknownAccessKey",
            AuthProblem::SignatureMismatch => "Unauthenticated.SignatureMismatch",
            AuthProblem::ContentHashMismatch => "Unauthenticated.ContentHashMismatch",
            AuthProblem::RequestExpired => "Unauthenticated.RequestExpired",
            AuthProblem::NonceReused => "Unauthenticated.NonceReused",
            AuthProblem::DatedBeforeStart => "Unauthenticated.DatedBeforeStart",
        }
    }
}

/// Every error the service reports. The `Display` text is the message shown to the caller; it
/// never carries internal detail (SQL, file paths), which goes to the log instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{field}: {reason}")]
    InvalidParameter { field: String, reason: String },
    #[error("{field}: '{value}' {reason}")]
    InvalidCidr { field: String, value: String, problem: CidrProblem, reason: String },
    #[error("{field}: '{value}' is not a valid name: use 1 to 64 letters, digits, '_', '-' or '.'")]
    InvalidName { field: String, value: String },
    #[error(
        "{field}: a description holds at most 255 characters, and no control characters or bidirectional overrides"
    )]
    InvalidDescription { field: String },
    /// `closest`: the ids of the regions whose spellings are nearest to `value`, when one is
    /// near enough to be a slip of the keyboard.
    #[error(
        "region '{value}' is not in the catalogue; {}`xconnect region list` shows the regions",
        did_you_mean(.closest)
    )]
    UnknownRegion { value: String, closest: Vec<String> },
    /// `closest`: the region's zones nearest to `zone`, as for a region.
    #[error("zone '{zone}' is not a zone of region {region}; {}its zones are {known}", did_you_mean(.closest))]
    UnknownZone { region: String, zone: String, known: String, closest: Vec<String> },
    #[error("{kind} {id} does not exist")]
    NotFound { kind: &'static str, id: String },
    #[error("{path} does not take {method}; see /v1/openapi.json for its methods")]
    MethodNotAllowed { method: String, path: String },
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{resource} is still used by {dependents}; delete or detach them first")]
    DependencyViolation { resource: String, dependents: String },
    #[error("quota exceeded: at most {limit} {what}")]
    QuotaExceeded { what: String, limit: u64 },
    #[error("client token '{token}' was already used for a different request; use a new token")]
    IdempotentParameterMismatch { token: String },
    #[error("{message}")]
    Forbidden { message: String },
    #[error("{message}")]
    Unauthenticated { problem: AuthProblem, message: String },
    #[error("this account sent more than {rate} requests a second (bursts up to {burst}); retry after {retry_after} s")]
    Throttled { rate: u32, burst: u32, retry_after: u64 },
    #[error("the service is busy: {message}; retry the request")]
    Unavailable { message: String },
    #[error("internal error; the request id identifies it in the server's log")]
    Internal { detail: String },
}

/// "did you mean a? ", "did you mean a or b? ", or nothing when there is nothing to suggest.
fn did_you_mean(closest: &[String]) -> String {
    if closest.is_empty() { String::new() } else { format!("did you mean {}? ", or_list(closest)) }
}

/// Words as a message lists the choices: "a", "a or b", "a, b or c".
pub(crate) fn or_list<S: AsRef<str>>(words: &[S]) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => {
            format!("{} or {}", rest.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "), last.as_ref())
        }
    }
}

impl Error {
    /// The stable code a script can match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidParameter { .. } => "InvalidParameter",
            Error::InvalidCidr { problem, .. } => problem.code(),
            Error::InvalidName { .. } => "InvalidName",
            Error::InvalidDescription { .. } => "InvalidDescription",
            Error::UnknownRegion { .. } => "UnknownRegion",
            Error::UnknownZone { .. } => "UnknownZone",
            Error::NotFound { .. } => "NotFound",
            Error::MethodNotAllowed { .. } => "MethodNotAllowed",
            Error::Rejected { code, .. } | Error::Conflict { code, .. } => code,
            Error::DependencyViolation { .. } => "DependencyViolation",
            Error::QuotaExceeded { .. } => "QuotaExceeded",
            Error::IdempotentParameterMismatch { .. } => "IdempotentParameterMismatch",
            Error::Forbidden { .. } => "Forbidden",
            Error::Unauthenticated { problem, .. } => problem.code(),
            // Alibaba Cloud's code for the same refusal, which its SDKs know to retry.
            Error::Throttled { .. } => "Throttling.User",
            Error::Unavailable { .. } => "ServiceUnavailable",
            Error::Internal { .. } => "InternalError",
        }
    }

    pub fn category(&self) -> Category {
        match self {
            Error::InvalidParameter { .. }
            | Error::InvalidName { .. }
            | Error::InvalidDescription { .. }
            | Error::UnknownRegion { .. } => Category::BadRequest,
            Error::InvalidCidr { problem, .. } => problem.category(),
            Error::UnknownZone { .. } | Error::Rejected { .. } => Category::Unprocessable,
            Error::NotFound { .. } => Category::NotFound,
            Error::MethodNotAllowed { .. } => Category::MethodNotAllowed,
            Error::Conflict { .. }
            | Error::DependencyViolation { .. }
            | Error::QuotaExceeded { .. }
            | Error::IdempotentParameterMismatch { .. } => Category::Conflict,
            Error::Forbidden { .. } => Category::Forbidden,
            Error::Unauthenticated { .. } => Category::Unauthenticated,
            Error::Throttled { .. } => Category::TooManyRequests,
            Error::Unavailable { .. } => Category::Unavailable,
            Error::Internal { .. } => Category::Internal,
        }
    }

    /// Shorthand for a bad parameter.
    pub fn invalid(field: impl fmt::Display, reason: impl fmt::Display) -> Error {
        Error::InvalidParameter { field: field.to_string(), reason: reason.to_string() }
    }

    /// A signed request whose nonce was used before: a replay, whichever layer finds it.
    pub fn nonce_reused() -> Error {
        Error::Unauthenticated {
            problem: AuthProblem::NonceReused,
            message: "the signature nonce was already used; send a fresh random nonce with every request".into(),
        }
    }

    /// Shorthand for a resource that does not exist or may not be seen.
    pub fn not_found(kind: &'static str, id: impl fmt::Display) -> Error {
        Error::NotFound { kind, id: id.to_string() }
    }

    /// Shorthand for a request that breaks a rule about other resources (a block outside its
    /// VPC, a group of another VPC), with a stable code.
    pub fn rejected(code: &'static str, message: impl fmt::Display) -> Error {
        Error::Rejected { code, message: message.to_string() }
    }

    /// Shorthand for a conflict with a stable code.
    pub fn conflict(code: &'static str, message: impl fmt::Display) -> Error {
        Error::Conflict { code, message: message.to_string() }
    }

    pub fn internal(detail: impl fmt::Display) -> Error {
        Error::Internal { detail: detail.to_string() }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
