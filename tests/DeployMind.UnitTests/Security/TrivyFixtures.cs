namespace DeployMind.UnitTests.Security;

/// <summary>
/// Trivy JSON reports shaped like <c>trivy image --format json --scanners vuln,secret,misconfig</c> output
/// (SchemaVersion 2). The secret's token is built at run time (<see cref="FakeSecrets"/>) and appears, as in a
/// real report, in the finding's <c>Match</c> and in the context lines of <c>Code</c>.
/// </summary>
internal static class TrivyFixtures
{
    public const string OsTarget = "deploymind-base/debian:bookworm (debian 12.5)";

    public const string NpmTarget = "app/package-lock.json";

    public static string Token => FakeSecrets.GitHubClassic;

    public static string Image => """
        {
          "SchemaVersion": 2,
          "CreatedAt": "2024-04-02T09:12:44.318265104Z",
          "ArtifactName": "deploymind-base/debian:bookworm",
          "ArtifactType": "container_image",
          "Metadata": {
            "OS": { "Family": "debian", "Name": "12.5" },
            "ImageID": "sha256:3b1e0d8d5f5cbb4b6d27d3b0f1a0a2a1d1f4c43d4c2a7bd3aa6dd1b33f3a6c21",
            "DiffIDs": [ "sha256:1a5fc1184c48d3ab2e7e3a1e1b3c7fa1a8d4a0cf7a0e5a8e5aa4d2c94b2f4a11" ],
            "RepoTags": [ "deploymind-base/debian:bookworm" ],
            "ImageConfig": { "architecture": "amd64", "os": "linux", "rootfs": { "type": "layers", "diff_ids": [] }, "config": {} }
          },
          "Results": [
            {
              "Target": "deploymind-base/debian:bookworm (debian 12.5)",
              "Class": "os-pkgs",
              "Type": "debian",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "CVE-2024-2511",
                  "PkgID": "openssl@3.0.11-1~deb12u2",
                  "PkgName": "openssl",
                  "PkgIdentifier": { "PURL": "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64\u0026distro=debian-12.5" },
                  "InstalledVersion": "3.0.11-1~deb12u2",
                  "FixedVersion": "3.0.13-1~deb12u1",
                  "Status": "fixed",
                  "Layer": { "DiffID": "sha256:1a5fc1184c48d3ab2e7e3a1e1b3c7fa1a8d4a0cf7a0e5a8e5aa4d2c94b2f4a11" },
                  "SeveritySource": "debian",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-2511",
                  "DataSource": { "ID": "debian", "Name": "Debian Security Tracker", "URL": "https://salsa.debian.org/security-tracker-team/security-tracker" },
                  "Title": "openssl: Unbounded memory growth with session handling in TLSv1.3",
                  "Description": "Issue summary: Some non-default TLS server configurations can cause unbounded memory growth when processing TLSv1.3 sessions.",
                  "Severity": "HIGH",
                  "CweIDs": [ "CWE-400" ],
                  "References": [ "https://www.openssl.org/news/secadv/20240408.txt" ],
                  "PublishedDate": "2024-04-08T14:15:07.66Z",
                  "LastModifiedDate": "2024-05-03T13:15:21.93Z"
                },
                {
                  "VulnerabilityID": "CVE-2024-2511",
                  "PkgID": "openssl@3.0.11-1~deb12u2",
                  "PkgName": "openssl",
                  "InstalledVersion": "3.0.11-1~deb12u2",
                  "FixedVersion": "3.0.13-1~deb12u1",
                  "Status": "fixed",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-2511",
                  "Title": "openssl: Unbounded memory growth with session handling in TLSv1.3",
                  "Severity": "HIGH"
                },
                {
                  "VulnerabilityID": "CVE-2023-45853",
                  "PkgID": "zlib1g@1:1.2.13.dfsg-1",
                  "PkgName": "zlib1g",
                  "InstalledVersion": "1:1.2.13.dfsg-1",
                  "Status": "will_not_fix",
                  "SeveritySource": "nvd",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2023-45853",
                  "Title": "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
                  "Severity": "CRITICAL",
                  "CweIDs": [ "CWE-190" ]
                },
                {
                  "VulnerabilityID": "CVE-2022-0563",
                  "PkgID": "libblkid1@2.38.1-5+b1",
                  "PkgName": "libblkid1",
                  "InstalledVersion": "2.38.1-5+b1",
                  "Status": "affected",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2022-0563",
                  "Title": "util-linux: partial disclosure of arbitrary files in chfn and chsh when compiled with libreadline",
                  "Severity": "LOW"
                },
                {
                  "VulnerabilityID": "TEMP-0841856-B18BAF",
                  "PkgID": "bash@5.2.15-2+b2",
                  "PkgName": "bash",
                  "InstalledVersion": "5.2.15-2+b2",
                  "Status": "affected",
                  "PrimaryURL": "https://security-tracker.debian.org/tracker/TEMP-0841856-B18BAF",
                  "Title": "[Privilege escalation possible to other user than root]",
                  "Severity": "UNKNOWN"
                }
              ]
            },
            {
              "Target": "app/package-lock.json",
              "Class": "lang-pkgs",
              "Type": "npm",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "GHSA-rv95-896h-c2vc",
                  "PkgID": "express@4.18.2",
                  "PkgName": "express",
                  "PkgPath": "app/node_modules/express/package.json",
                  "InstalledVersion": "4.18.2",
                  "FixedVersion": "4.19.2, 5.0.0-beta.3",
                  "Status": "fixed",
                  "SeveritySource": "ghsa",
                  "PrimaryURL": "https://github.com/advisories/GHSA-rv95-896h-c2vc",
                  "Title": "express: cause malformed URLs to be evaluated",
                  "Severity": "MEDIUM"
                }
              ]
            },
            {
              "Target": "app/Dockerfile",
              "Class": "config",
              "Type": "dockerfile",
              "MisconfSummary": { "Successes": 25, "Failures": 1 },
              "Misconfigurations": [
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS002",
                  "AVDID": "AVD-DS-0002",
                  "Title": "Image user should not be 'root'",
                  "Description": "Running containers with 'root' user can lead to a container escape situation.",
                  "Message": "Last USER command in Dockerfile should not be 'root'",
                  "Namespace": "builtin.dockerfile.DS002",
                  "Query": "data.builtin.dockerfile.DS002.deny",
                  "Resolution": "Add 'USER <non root user name>' line to the Dockerfile",
                  "Severity": "HIGH",
                  "PrimaryURL": "https://avd.aquasec.com/misconfig/ds002",
                  "References": [ "https://avd.aquasec.com/misconfig/ds002" ],
                  "Status": "FAIL",
                  "Layer": {},
                  "CauseMetadata": {
                    "Provider": "Dockerfile",
                    "Service": "general",
                    "StartLine": 12,
                    "EndLine": 12,
                    "Code": { "Lines": [ { "Number": 12, "Content": "USER root", "IsCause": true } ] }
                  }
                },
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS026",
                  "AVDID": "AVD-DS-0026",
                  "Title": "No HEALTHCHECK defined",
                  "Severity": "LOW",
                  "Status": "PASS",
                  "CauseMetadata": { "Provider": "Dockerfile", "Service": "general" }
                }
              ]
            },
            {
              "Target": "app/.env",
              "Class": "secret",
              "Secrets": [
                {
                  "RuleID": "github-pat",
                  "Category": "GitHub",
                  "Severity": "CRITICAL",
                  "Title": "GitHub Personal Access Token",
                  "StartLine": 2,
                  "EndLine": 2,
                  "Code": {
                    "Lines": [
                      { "Number": 1, "Content": "NODE_ENV=production", "IsCause": false, "Highlighted": "NODE_ENV=production" },
                      { "Number": 2, "Content": "GITHUB_TOKEN=@TOKEN@", "IsCause": true, "Highlighted": "GITHUB_TOKEN=@TOKEN@", "FirstCause": true, "LastCause": true },
                      { "Number": 3, "Content": "# backup: @TOKEN@", "IsCause": false }
                    ]
                  },
                  "Match": "GITHUB_TOKEN=@TOKEN@",
                  "Layer": { "DiffID": "sha256:9c4f2fb4a1d2e2b0f7e1b7a3cc7c5d1bd3ea9e3e3fc5a7d3f58f0d2e9b1a6c11", "CreatedBy": "COPY . /app # buildkit" }
                }
              ]
            }
          ]
        }
        """.Replace("@TOKEN@", Token, StringComparison.Ordinal);
}
