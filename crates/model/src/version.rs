//! Which build of xconnect a program is: its version and the git commit it was built from. The
//! server names its own on every answer ([`VERSION_HEADER`]), so that a client can tell when it
//! speaks to another build, and say so before a difference between them surprises anyone.

use std::fmt;

/// The header every answer of the server carries its [`Build`] in.
pub const VERSION_HEADER: &str = "x-xconnect-version";

/// The commit of a build made outside a git checkout (from a tarball, without git).
pub const UNKNOWN_COMMIT: &str = "unknown";

/// A build: the package version and the commit (a short hash, `-dirty` when tracked files
/// differed from it, or [`UNKNOWN_COMMIT`]). Shown, and sent in [`VERSION_HEADER`], as
/// `0.1.0 (commit 1a2b3c4)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub version: String,
    pub commit: String,
}

impl Build {
    pub fn new(version: &str, commit: &str) -> Build {
        Build { version: version.to_owned(), commit: commit.to_owned() }
    }

    /// Reads what [`Display`](fmt::Display) writes; none for anything else.
    pub fn parse(s: &str) -> Option<Build> {
        let (version, rest) = s.split_once(" (commit ")?;
        let commit = rest.strip_suffix(')')?;
        let plain = |w: &str| !w.is_empty() && !w.contains([' ', '(', ')']);
        (plain(version) && plain(commit)).then(|| Build::new(version, commit))
    }

    /// Whether `other` is another build than this one, as far as the two can tell.
    ///
    /// The version alone would say "the same" all through development, where every commit is
    /// 0.1.0 and the API changes from one commit to the next (a field one build adds, the
    /// other refuses as unknown). So when both know their commit, another commit is another
    /// build, `-dirty` included: a client rebuilt after an edit is not what the server runs.
    /// (Two builds of one dirty tree look alike; nothing here can tell them apart.) When either
    /// was built outside a checkout, only the version can tell: a commit nobody knows is not a
    /// reason to warn.
    pub fn differs(&self, other: &Build) -> bool {
        let known = self.commit != UNKNOWN_COMMIT && other.commit != UNKNOWN_COMMIT;
        self.version != other.version || (known && self.commit != other.commit)
    }
}

impl fmt::Display for Build {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (commit {})", self.version, self.commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_reads_back_what_it_shows() {
        for b in [Build::new("0.1.0", "1a2b3c4"), Build::new("0.2.0", "1a2b3c4-dirty"), Build::new("1.0.0", "unknown")]
        {
            assert_eq!(Build::parse(&b.to_string()), Some(b.clone()), "{b}");
        }
        for bad in ["", "0.1.0", "0.1.0 (commit )", "0.1.0 (1a2b3c4)", "0.1.0 (commit a b)", " (commit 1a2b3c4)"] {
            assert_eq!(Build::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn builds_differ_by_version_or_by_commits_both_known() {
        let b = |v: &str, c: &str| Build::new(v, c);
        let cases = [
            (b("0.1.0", "1a2b3c4"), b("0.1.0", "1a2b3c4"), false),
            (b("0.1.0", "1a2b3c4-dirty"), b("0.1.0", "1a2b3c4-dirty"), false),
            (b("0.1.0", "1a2b3c4"), b("0.1.0", "5d6e7f8"), true),
            (b("0.1.0", "1a2b3c4"), b("0.1.0", "1a2b3c4-dirty"), true),
            (b("0.1.0", "1a2b3c4"), b("0.2.0", "1a2b3c4"), true),
            (b("0.1.0", "unknown"), b("0.1.0", "5d6e7f8"), false),
            (b("0.1.0", "1a2b3c4"), b("0.1.0", "unknown"), false),
            (b("0.1.0", "unknown"), b("0.2.0", "unknown"), true),
        ];
        for (mine, theirs, differs) in cases {
            assert_eq!(mine.differs(&theirs), differs, "{mine} against {theirs}");
            assert_eq!(theirs.differs(&mine), differs, "{theirs} against {mine}");
        }
    }
}
