//! Request signing with Alibaba Cloud's V3 scheme, ACS3-HMAC-SHA256: one canonical form shared
//! by the client that signs and the server that verifies, so the two cannot drift apart.
//!
//! The canonical request is
//!
//! ```text
//! METHOD \n CANONICAL_URI \n CANONICAL_QUERY \n CANONICAL_HEADERS \n SIGNED_HEADERS \n HEX(SHA256(body))
//! ```
//!
//! where the canonical headers are the headers the request names in `SignedHeaders` (the
//! official SDKs sign every header they set), lowercased, trimmed and sorted, each written as
//! `name:value\n`. The string to sign is
//! `ACS3-HMAC-SHA256\n` followed by the hex SHA-256 of the canonical request, and the signature is
//! the hex HMAC-SHA256 of that string under the access key secret.
//!
//! [`rpc`] is the older V1 signature of Alibaba Cloud's RPC APIs (HMAC-SHA1 over the sorted
//! parameters), which the legacy SDKs send. This crate is pure: it never reads a clock or a
//! socket; callers pass the time in.

pub mod rpc;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Iso8601;
use time::macros::format_description;

/// The algorithm name that opens the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
/// Header carrying the request time, `yyyy-MM-ddTHH:mm:ssZ` in UTC.
pub const HEADER_DATE: &str = "x-acs-date";
/// Header carrying a random string that may be used once within the replay window.
pub const HEADER_NONCE: &str = "x-acs-signature-nonce";
/// Header carrying the lowercase hex SHA-256 of the body.
pub const HEADER_CONTENT_SHA256: &str = "x-acs-content-sha256";
/// Headers a request must sign: without them a signature could be replayed at another host,
/// at another time, or with another body.
pub const REQUIRED_SIGNED_HEADERS: [&str; 4] = ["host", HEADER_CONTENT_SHA256, HEADER_DATE, HEADER_NONCE];

/// The lowercase hex SHA-256 of `data`; of an empty body it is `e3b0c442…b855`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Percent-encodes `s` as RFC 3986 asks and ACS3 expects: only `A-Z a-z 0-9 - _ . ~` stay as
/// they are; a space is `%20`, never `+`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`), so that a query string can be
/// re-encoded canonically whatever escaping the sender chose. `None` for a broken escape or
/// a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The canonical URI: each `/`-separated segment percent-encoded, `/` for an empty path.
/// `path` is the decoded path.
pub fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/').map(percent_encode).collect::<Vec<_>>().join("/")
}

/// The canonical query string from decoded `(name, value)` pairs: each side percent-encoded,
/// sorted by name then value, joined as `name=value` with `&`. A name without a value gives
/// `name=`.
pub fn canonical_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut encoded: Vec<(String, String)> =
        pairs.into_iter().map(|(k, v)| (percent_encode(k), percent_encode(v))).collect();
    encoded.sort();
    encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// Splits a raw (still encoded) query string into decoded pairs. `None` if an escape is broken.
/// A `+` is a space, as form decoding (and so the server's query parser) reads it: the value
/// that is signed is the value that is acted on.
pub fn parse_query(raw: &str) -> Option<Vec<(String, String)>> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            Some((percent_decode(&k.replace('+', " "))?, percent_decode(&v.replace('+', " "))?))
        })
        .collect()
}

/// Whether a header may take part in the signature: any the client sent, as Alibaba Cloud's
/// SDKs sign every header they set (`accept` and `user-agent` too), but `authorization`, which
/// carries the signature itself.
pub fn is_signable_header(lowercase_name: &str) -> bool {
    lowercase_name != "authorization"
}

/// Everything of one request that the signature covers. Header names may be in any case;
/// values are trimmed here.
#[derive(Debug, Clone)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The decoded path, as routed.
    pub path: &'a str,
    /// Decoded query pairs.
    pub query: &'a [(String, String)],
    /// The headers to sign, by name and value.
    pub headers: &'a [(String, String)],
    /// Hex SHA-256 of the body (the value of `x-acs-content-sha256`).
    pub content_sha256: &'a str,
}

/// The signed header names of `parts`, lowercased, sorted, deduplicated.
pub fn signed_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    names.sort();
    names.dedup();
    names
}

/// The canonical request. A header given twice has its values sorted and joined with `,`.
pub fn canonical_request(parts: &RequestParts<'_>) -> String {
    let names = signed_header_names(parts.headers);
    let mut canonical_headers = String::new();
    for name in &names {
        let mut values: Vec<&str> =
            parts.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()).collect();
        values.sort_unstable();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    let query = canonical_query(parts.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method.to_ascii_uppercase(),
        canonical_uri(parts.path),
        query,
        canonical_headers,
        names.join(";"),
        parts.content_sha256
    )
}

/// The string to sign for a canonical request.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The hex HMAC-SHA256 signature of `parts` under `secret`.
pub fn signature(secret: &str, parts: &RequestParts<'_>) -> String {
    let to_sign = string_to_sign(&canonical_request(parts));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares two signatures in time independent of where they first differ, so that a caller
/// cannot learn a valid signature byte by byte from response times.
pub fn signatures_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `Authorization` header value.
pub fn authorization(access_key_id: &str, signed_headers: &[String], signature: &str) -> String {
    format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={},Signature={signature}", signed_headers.join(";"))
}

/// A parsed `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key_id: String,
    /// Lowercased names, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`. The error says which part
/// is missing or malformed.
pub fn parse_authorization(value: &str) -> Result<Authorization, String> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or_else(|| format!("the Authorization header must start with '{ALGORITHM} '"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for field in rest.split(',') {
        let (k, v) = field
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("'{field}' in the Authorization header is not name=value"))?;
        match k {
            "Credential" => credential = Some(v.to_owned()),
            "SignedHeaders" => signed = Some(v.to_owned()),
            "Signature" => signature = Some(v.to_owned()),
            other => return Err(format!("unknown Authorization field '{other}'")),
        }
    }
    let access_key_id = credential.filter(|c| !c.is_empty()).ok_or("the Authorization header has no Credential")?;
    let signed_headers = signed
        .ok_or("the Authorization header has no SignedHeaders")?
        .split(';')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let signature = signature.filter(|s| !s.is_empty()).ok_or("the Authorization header has no Signature")?;
    Ok(Authorization { access_key_id, signed_headers, signature })
}

/// Formats a time as `x-acs-date` wants it: `2023-10-26T10:22:32Z`.
///
/// Takes a time that [`parse_date`] accepted or the clock read; one whose UTC year lies outside
/// 1 to 9999 is written as the bounds of that range rather than panicking.
pub fn format_date(t: OffsetDateTime) -> String {
    let t = match t.checked_to_offset(time::UtcOffset::UTC) {
        Some(t) if (1..=9999).contains(&t.year()) => t,
        Some(t) if t.year() > 9999 => return "9999-12-31T23:59:59Z".to_owned(),
        None if t.year() > 0 => return "9999-12-31T23:59:59Z".to_owned(),
        _ => return "0001-01-01T00:00:00Z".to_owned(),
    };
    t.format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")).unwrap_or_default()
}

/// Parses an `x-acs-date` value; accepts any ISO 8601 time with an offset whose UTC date lies in
/// the years 1 to 9999. A date beyond that cannot be within any skew of the server's clock, and
/// refusing it here keeps every later step (the skew, the message) on dates that convert.
pub fn parse_date(s: &str) -> Option<OffsetDateTime> {
    let t = OffsetDateTime::parse(s, &Iso8601::DEFAULT).ok()?;
    let utc = t.checked_to_offset(time::UtcOffset::UTC)?;
    (1..=9999).contains(&utc.year()).then_some(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn dates_at_the_edges_of_the_calendar_are_refused_not_panicked_on() {
        // Year 10000 in UTC, written as 9999 with a negative offset: converting it panicked.
        assert_eq!(parse_date("9999-12-31T23:59:59-01:00"), None);
        assert_eq!(parse_date("0000-01-01T00:30:00+01:00"), None, "year 0 in UTC");
        let late = parse_date("9999-12-31T22:59:59-01:00").expect("still 9999 in UTC");
        assert_eq!(format_date(late), "9999-12-31T23:59:59Z");
        assert_eq!(format_date(parse_date("2026-11-22T10:22:32+08:00").unwrap()), "2026-11-22T02:22:32Z");
        // Times the clock or a caller could still hand in are written within the range.
        assert_eq!(format_date(time::macros::datetime!(0000-06-01 0:00 UTC)), "0001-01-01T00:00:00Z");
        assert_eq!(format_date(time::macros::datetime!(9999-12-31 23:30 -01:00)), "9999-12-31T23:59:59Z");
    }

    /// The worked example of Alibaba Cloud's "Request syntax and signature method V3" page,
    /// section "Fixed parameter values": the canonical request, its hash and the signature.
    #[test]
    fn official_v3_vector() {
        let empty = sha256_hex(b"");
        assert_eq!(empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let query =
            pairs(&[("RegionId", "cn-shanghai"), ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd")]);
        let headers = pairs(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", &empty),
        ]);
        let parts =
            RequestParts { method: "POST", path: "/", query: &query, headers: &headers, content_sha256: &empty };
        let canonical = canonical_request(&parts);
        assert_eq!(
            canonical,
            "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            string_to_sign(&canonical),
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        let sig = signature("YourAccessKeySecret", &parts);
        assert_eq!(sig, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
        let header = authorization("YourAccessKeyId", &signed_header_names(&headers), &sig);
        assert_eq!(
            header,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;\
             x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        let parsed = parse_authorization(&header).unwrap();
        assert_eq!(parsed.access_key_id, "YourAccessKeyId");
        assert_eq!(parsed.signature, sig);
        assert_eq!(parsed.signed_headers.len(), 6);
    }

    /// The unit test of Alibaba Cloud's Python SDK (darabonba openapi-util): an empty query
    /// value gives `name=`, a repeated header joins its sorted values with a comma.
    #[test]
    fn sdk_vector_with_empty_value_and_repeated_header() {
        let query = pairs(&[("test", "ok"), ("empty", "")]);
        let headers = pairs(&[("x-acs-test", "http"), ("x-acs-TEST", "https")]);
        let payload = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
        let parts = RequestParts { method: "GET", path: "", query: &query, headers: &headers, content_sha256: payload };
        assert_eq!(
            canonical_request(&parts),
            format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{payload}")
        );
        assert_eq!(signature("secret", &parts), "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1");
    }

    /// CreateVpc as alibabacloud-vpc20160428 7.2.2 sent it, recorded on the wire with a pinned
    /// date and nonce (scripts/sdk/WIRE.md): it signs every header it sets, `accept` and
    /// `user-agent` too.
    #[test]
    fn the_v3_sdks_create_vpc_signs_every_header() {
        let query = pairs(&[("CidrBlock", "192.168.0.0/16"), ("RegionId", "cn-qingdao"), ("VpcName", "vpc1")]);
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let headers = pairs(&[
            ("accept", "application/json"),
            ("host", "127.0.0.1:40557"),
            ("user-agent", "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"),
            ("x-acs-action", "CreateVpc"),
            ("x-acs-content-sha256", empty),
            ("x-acs-credentials-provider", "static_ak"),
            ("x-acs-date", "2026-12-01T21:50:10Z"),
            ("x-acs-signature-nonce", "3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b"),
            ("x-acs-version", "2016-04-28"),
        ]);
        assert!(headers.iter().all(|(name, _)| is_signable_header(name)));
        let parts = RequestParts { method: "POST", path: "/", query: &query, headers: &headers, content_sha256: empty };
        assert_eq!(
            string_to_sign(&canonical_request(&parts)),
            "ACS3-HMAC-SHA256\nd474de7acc9402587eb9ce820408dc25ababbaca4112ee0e5720e1f9b3e3de09"
        );
        assert_eq!(
            signature("ExampleSecretForTheRecorder0001", &parts),
            "d41e514d9a15637512f0ad598eb275fa280019b31a364a4395137bb65bbaf2eb"
        );
        assert!(!is_signable_header("authorization"));
    }

    #[test]
    fn percent_encoding_follows_rfc3986() {
        assert_eq!(percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
        assert_eq!(percent_decode("%20~%2F%2A-%2B").unwrap(), " ~/*-+");
        assert_eq!(percent_decode("%2"), None);
        assert_eq!(canonical_uri("/v1/vpcs/vpc-1"), "/v1/vpcs/vpc-1");
        assert_eq!(parse_query("b=2&a=x%20y&c").unwrap(), pairs(&[("b", "2"), ("a", "x y"), ("c", "")]));
        assert_eq!(parse_query("a=x+y&b=1%2B1").unwrap(), pairs(&[("a", "x y"), ("b", "1+1")]));
    }

    #[test]
    fn authorization_errors_say_what_is_missing() {
        assert!(parse_authorization("HMAC x").unwrap_err().contains("must start"));
        let e = parse_authorization("ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host").unwrap_err();
        assert!(e.contains("no Signature"), "{e}");
    }

    #[test]
    fn dates_round_trip() {
        let t = parse_date("2023-10-26T10:22:32Z").unwrap();
        assert_eq!(format_date(t), "2023-10-26T10:22:32Z");
        assert!(parse_date("yesterday").is_none());
        assert!(signatures_equal("abc", "abc") && !signatures_equal("abc", "abd"));
    }
}
