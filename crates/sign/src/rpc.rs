//! Alibaba Cloud's V1 RPC signature, as the legacy SDKs (`aliyun-python-sdk-core`, and the V3
//! SDKs with `signature_algorithm='v2'`) sign: every query and form parameter but `Signature`,
//! percent-encoded (RFC 3986), sorted by name, joined as `name=value` with `&`; the string to
//! sign is `METHOD&%2F&` and that query percent-encoded once more; the signature is the Base64
//! HMAC-SHA1 of it under the secret followed by `&`. The date (`Timestamp`), the nonce
//! (`SignatureNonce`) and the key (`AccessKeyId`) are parameters like any other.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::percent_encode;

/// The parameter that carries the signature; it is not signed.
pub const SIGNATURE: &str = "Signature";

/// The string to sign of a request with `method` and decoded `params` (query and form
/// together); `Signature` among them is left out.
pub fn string_to_sign<'a>(method: &str, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| *k != SIGNATURE)
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    let query = encoded.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!("{method}&%2F&{}", percent_encode(&query))
}

/// The Base64 HMAC-SHA1 of `string_to_sign` under `secret`, as the `Signature` parameter
/// carries it.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CreateVpc as aliyun-python-sdk-core 2.16.1 sent it, recorded on the wire with a pinned
    /// date and nonce (scripts/sdk/WIRE.md).
    #[test]
    fn the_legacy_sdks_create_vpc() {
        let params = [
            ("CidrBlock", "192.168.0.0/16"),
            ("VpcName", "vpc1"),
            ("Version", "2016-04-28"),
            ("Action", "CreateVpc"),
            ("Format", "JSON"),
            ("RegionId", "cn-qingdao"),
            ("Timestamp", "2026-12-01T21:50:10Z"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureType", ""),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b"),
            ("AccessKeyId", "LTAI5tExampleKeyId0001"),
            ("Signature", "HDGcZ53lFr4AvjF5zVHFfWvPg9o="),
        ];
        let sts = string_to_sign("POST", params);
        assert_eq!(
            sts,
            "POST&%2F&AccessKeyId%3DLTAI5tExampleKeyId0001%26Action%3DCreateVpc%26CidrBlock%3D192.168.0.0%252F16\
             %26Format%3DJSON%26RegionId%3Dcn-qingdao%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D\
             3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b%26SignatureType%3D%26SignatureVersion%3D1.0%26Timestamp%3D\
             2026-12-01T21%253A50%253A10Z%26Version%3D2016-04-28%26VpcName%3Dvpc1"
        );
        assert_eq!(signature("ExampleSecretForTheRecorder0001", &sts), "HDGcZ53lFr4AvjF5zVHFfWvPg9o=");
    }

    /// The same call from a V3 SDK in `v2` mode: `Format=json`, no `SignatureType`.
    #[test]
    fn a_v3_sdk_in_v2_mode() {
        let params = [
            ("Action", "CreateVpc"),
            ("Format", "json"),
            ("Version", "2016-04-28"),
            ("Timestamp", "2026-12-01T21:50:10Z"),
            ("SignatureNonce", "3c1ac1b5a8ed4e9a9c2b5f0d1e2f3a4b"),
            ("CidrBlock", "192.168.0.0/16"),
            ("RegionId", "cn-qingdao"),
            ("VpcName", "vpc1"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("AccessKeyId", "LTAI5tExampleKeyId0001"),
        ];
        let sts = string_to_sign("POST", params);
        assert_eq!(signature("ExampleSecretForTheRecorder0001", &sts), "M8Yv0Gvo8B73m39B1uV/lU30Plo=");
    }

    /// A space, `*`, `~` and `/`: encoded once in the query and twice in the string to sign.
    #[test]
    fn values_are_encoded_as_rfc_3986_asks() {
        let sts = string_to_sign("POST", [("VpcName", "my vpc*~/")]);
        assert_eq!(sts, "POST&%2F&VpcName%3Dmy%2520vpc%252A~%252F");
    }
}
