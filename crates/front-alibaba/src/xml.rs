//! Answers in XML, for a request with `Format=XML` (the legacy SDKs' `set_accept_format`): the
//! same fields as the JSON answer, under `<{Action}Response>` (`<Error>` for a refusal), with a
//! list written as its items repeated under the list's name, as Alibaba writes them.

use serde_json::Value;

/// Whether the request asks for XML.
pub fn wanted(format: Option<&str>) -> bool {
    format.is_some_and(|f| f.eq_ignore_ascii_case("xml"))
}

/// The document: `root` holding `fields`.
pub fn document(root: &str, fields: &serde_json::Map<String, Value>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    element(&mut out, root, &Value::Object(fields.clone()));
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        // A list has no element of its own: each item is one under the list's name.
        Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
        // An absent value is an absent element.
        Value::Null => {}
        _ => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            match value {
                Value::Object(map) => map.iter().for_each(|(k, v)| element(out, k, v)),
                Value::String(s) => escape(out, s),
                other => out.push_str(&other.to_string()),
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lists_repeat_their_items_and_text_is_escaped() {
        let fields = json!({
            "RequestId": "req-1",
            "TotalCount": 2,
            "Vpcs": {"Vpc": [{"VpcId": "vpc-a", "IsDefault": false}, {"VpcId": "vpc-b", "Description": "a<b & 'c'"}]},
            "NextToken": null,
        });
        let Value::Object(fields) = fields else { unreachable!() };
        assert_eq!(
            document("DescribeVpcsResponse", &fields),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><DescribeVpcsResponse><RequestId>req-1</RequestId>\
             <TotalCount>2</TotalCount><Vpcs><Vpc><IsDefault>false</IsDefault><VpcId>vpc-a</VpcId></Vpc>\
             <Vpc><Description>a&lt;b &amp; &apos;c&apos;</Description><VpcId>vpc-b</VpcId></Vpc></Vpcs>\
             </DescribeVpcsResponse>"
        );
    }

    #[test]
    fn only_xml_asks_for_xml() {
        assert!(wanted(Some("XML")) && wanted(Some("xml")));
        assert!(!wanted(Some("JSON")) && !wanted(None));
    }
}
