using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Security;

namespace DeployMind.UnitTests.Security;

/// <summary>Compose and Kubernetes settings: each risky one at its line, a hardened manifest clean, no value printed.</summary>
public sealed class RiskyConfigScannerTests
{
    private static readonly string DbPassword = FakeSecrets.Random(16, 77);

    private static readonly string Compose = $"""
        services:
          web:
            image: nginx:1.27-alpine
            privileged: true
            network_mode: host
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock
              - /:/host:ro
              - ./data:/data
            environment:
              DB_PASSWORD: {DbPassword}
              API_TOKEN: ${"{"}API_TOKEN{"}"}
              LOG_LEVEL: debug
          worker:
            image: worker:1.0
            environment:
              - SECRET_KEY={DbPassword}
              - MODE=batch
        """;

    private static readonly string RiskyDeployment = $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          mode: fast
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          template:
            spec:
              hostNetwork: true
              securityContext:
                runAsUser: 0
              containers:
                - name: api
                  image: api:1.0
                  securityContext:
                    privileged: true
                    allowPrivilegeEscalation: true
                    runAsNonRoot: false
                  env:
                    - name: DB_PASSWORD
                      value: "{DbPassword}"
                    - name: API_TOKEN
                      valueFrom:
                        secretKeyRef:
                          name: api
                          key: token
                    - name: LOG_LEVEL
                      value: info
              volumes:
                - name: docker
                  hostPath:
                    path: /var/run/docker.sock
        """;

    private const string HardenedDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          template:
            spec:
              automountServiceAccountToken: false
              securityContext:
                runAsNonRoot: true
                runAsUser: 10001
                seccompProfile:
                  type: RuntimeDefault
              containers:
                - name: api
                  image: api:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000
                  securityContext:
                    privileged: false
                    allowPrivilegeEscalation: false
                    readOnlyRootFilesystem: true
                    capabilities:
                      drop: ["ALL"]
                  env:
                    - name: DB_PASSWORD
                      valueFrom:
                        secretKeyRef:
                          name: db
                          key: password
                    - name: API_KEY_HEADER
                      value: ""
              volumes:
                - name: tmp
                  emptyDir: {}
        """;

    [Fact]
    public async Task ScanAsync_RiskyCompose_ReportsEachSettingAtItsLine()
    {
        using var tree = new TempTree().Write("deploy/docker-compose.prod.yml", Compose);

        var report = await tree.ScanConfigAsync();

        Assert.Equal(
            ["4:5:DMC001", "5:5:DMC002", "7:9:DMC003", "8:9:DMC004", "11:7:DMC005", "17:9:DMC005"],
            report.Findings.Select(f => $"{f.Line}:{f.Column}:{f.RuleId}"));
        Assert.All(report.Findings, f => Assert.Equal(SecurityFindingKind.RiskyConfiguration, f.Kind));
        Assert.All(report.Findings, f => Assert.Equal("deploy/docker-compose.prod.yml", f.File));
        Assert.All(report.Findings, f => Assert.DoesNotContain(DbPassword, f.ToString(), StringComparison.Ordinal));
        Assert.Equal(1, report.FilesScanned);
    }

    [Fact]
    public async Task ScanAsync_RiskyKubernetesMultiDocument_ReportsEachSettingAtItsLine()
    {
        using var tree = new TempTree().Write("k8s/api.yaml", RiskyDeployment);

        var report = await tree.ScanConfigAsync();

        Assert.Equal(
            ["15:7:DMK005", "17:9:DMK003", "22:13:DMK001", "23:13:DMK004", "24:13:DMK003", "27:22:DMK006", "37:11:DMK002"],
            report.Findings.Select(f => $"{f.Line}:{f.Column}:{f.RuleId}"));
        Assert.All(report.Findings, f => Assert.DoesNotContain(DbPassword, f.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(DbPassword, SecurityReportWriter.ToSarif(report), StringComparison.Ordinal);
        Assert.DoesNotContain(DbPassword, SecurityReportWriter.ToJson(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_HardenedManifest_NoFindings()
    {
        using var tree = new TempTree()
            .Write("k8s/api.yml", HardenedDeployment)
            .Write("compose.yaml", "services:\n  web:\n    image: web:1.0\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n    volumes:\n      - ./data:/data\n");

        var report = await tree.ScanConfigAsync();

        Assert.Empty(report.Findings);
        Assert.Equal(2, report.FilesScanned);
    }

    [Fact]
    public async Task ScanAsync_PlainYamlAndTemplates_IgnoredOrSkipped()
    {
        using var tree = new TempTree()
            .Write(".github/workflows/ci.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n")
            .Write("chart/templates/deploy.yaml", "apiVersion: v1\nkind: Pod\nspec: {{ .Values.spec | nindent 2 }\n  privileged: [\n");

        var report = await tree.ScanConfigAsync();

        Assert.Empty(report.Findings);
        Assert.Contains(report.FilesSkipped, s => s.Path == "chart/templates/deploy.yaml");
    }

    [Fact]
    public void ScanYaml_ComposeFileNames_Recognised()
    {
        foreach (var name in new[] { "docker-compose.yml", "docker-compose.override.yaml", "compose.yml", "compose.prod.yaml" })
        {
            var findings = new List<SecurityFinding>();
            Assert.True(RiskyConfigScanner.ScanYaml("services:\n  a:\n    privileged: true\n", name, findings));
            Assert.Equal("DMC001", Assert.Single(findings).RuleId);
        }
    }
}
