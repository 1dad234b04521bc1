//! What the text formats share: lines, addresses and CIDRs, the CSV rules of §7.6.

use std::net::IpAddr;
use std::path::Path;

use ipnet::IpNet;

use super::EnrichError;

/// Reads a whole file, or says which file could not be read.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, EnrichError> {
    std::fs::read(path).map_err(|e| EnrichError {
        file: path.into(),
        line: None,
        what: format!("cannot read: {e}"),
        source: Some(e),
    })
}

/// The lines of `bytes` with their 1-based numbers, each checked to be UTF-8 and trimmed.
pub(crate) fn lines<'a>(
    file: &'a str,
    bytes: &'a [u8],
) -> impl Iterator<Item = Result<(usize, &'a str), EnrichError>> + 'a {
    bytes.split(|&b| b == b'\n').enumerate().map(move |(i, line)| {
        std::str::from_utf8(line)
            .map(|text| (i + 1, text.trim()))
            .map_err(|_| EnrichError::at_line(file, i + 1, "not valid UTF-8"))
    })
}

/// An address (a /32 or /128) or a CIDR; host bits set mean the network.
pub(crate) fn parse_net(text: &str) -> Result<IpNet, String> {
    if text.contains('/') {
        text.parse::<IpNet>().map(|net| net.trunc()).map_err(|_| format!("`{text}` is not a CIDR"))
    } else {
        text.parse::<IpAddr>().map(IpNet::from).map_err(|_| format!("`{text}` is not an address or CIDR"))
    }
}

/// Whether a CSV's first field makes its line a header: it is not an address or a CIDR.
fn is_header(first_field: &str) -> bool {
    parse_net(first_field).is_err()
}

/// The data rows of a CSV (§7.6): no quoting, blank and `#` lines skipped, a first line whose
/// first field is not an address is a header. Fields are trimmed. Yields `(line, fields)`.
pub(crate) fn csv_rows<'a>(
    file: &'a str,
    bytes: &'a [u8],
) -> impl Iterator<Item = Result<(usize, Vec<&'a str>), EnrichError>> + 'a {
    let mut first = true;
    lines(file, bytes).filter_map(move |line| {
        let (number, text) = match line {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        let was_first = std::mem::replace(&mut first, false);
        if was_first && is_header(fields[0]) {
            return None;
        }
        Some(Ok((number, fields)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_bits_mean_the_network() {
        assert_eq!(parse_net("10.1.2.3/8").unwrap(), "10.0.0.0/8".parse::<IpNet>().unwrap());
        assert_eq!(parse_net("2001:db8::1/32").unwrap(), "2001:db8::/32".parse::<IpNet>().unwrap());
        assert_eq!(parse_net("192.0.2.1").unwrap(), "192.0.2.1/32".parse::<IpNet>().unwrap());
        assert_eq!(parse_net("::1").unwrap(), "::1/128".parse::<IpNet>().unwrap());
        assert!(parse_net("10.0.0.0/33").is_err());
        assert!(parse_net("10.0.0").is_err());
    }

    #[test]
    fn csv_skips_header_blank_and_comment_lines() {
        let text = b"# note\n\ncidr,label\n10.0.0.0/8,a\n\n# more\n::/0 , b \n";
        let rows: Vec<_> = csv_rows("f", text).map(Result::unwrap).collect();
        assert_eq!(rows, vec![(4, vec!["10.0.0.0/8", "a"]), (7, vec!["::/0", "b"])]);
    }

    #[test]
    fn only_the_first_row_can_be_a_header() {
        let rows: Vec<_> = csv_rows("f", b"10.0.0.0/8,a\nnet,b\n").map(Result::unwrap).collect();
        assert_eq!(rows, vec![(1, vec!["10.0.0.0/8", "a"]), (2, vec!["net", "b"])]);
    }

    #[test]
    fn crlf_lines_are_trimmed_and_bad_utf8_names_its_line() {
        let rows: Vec<_> = csv_rows("f", b"10.0.0.0/8,a\r\n").map(Result::unwrap).collect();
        assert_eq!(rows, vec![(1, vec!["10.0.0.0/8", "a"])]);
        let err = csv_rows("f", b"10.0.0.0/8,a\n\xff\n").find_map(Result::err).unwrap();
        assert_eq!(err.to_string(), "f:2: not valid UTF-8");
    }
}
