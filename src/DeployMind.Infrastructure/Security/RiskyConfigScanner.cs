using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Dangerous settings in docker compose files (<c>docker-compose*.yml</c>, <c>compose*.yml</c>) and Kubernetes
/// manifests (any YAML document with <c>apiVersion</c> and <c>kind</c>), read with YamlDotNet's representation model so
/// each finding carries the offending node's line. Values of secret-looking variables are never copied into findings.
/// </summary>
internal sealed partial class RiskyConfigScanner : IRiskyConfigScanner
{
    private readonly SecretScanOptions _options;
    private readonly TimeProvider _time;

    public RiskyConfigScanner(IOptions<SecretScanOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
    }

    public async Task<SecretScanReport> ScanAsync(string root, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var started = _time.GetTimestamp();
        var ignore = await IgnorePatterns.LoadAsync(root, ct).ConfigureAwait(false);
        var (files, skippedByWalk) = SourceTreeWalker.Walk(root, ignore, ct);
        var findings = new ConcurrentBag<SecurityFinding>();
        var skipped = new ConcurrentBag<SkippedFile>(skippedByWalk);
        var scanned = 0;
        long bytes = 0;
        var yamlFiles = files.Where(f => f.RelativePath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.RelativePath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxParallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(yamlFiles, parallel, async (entry, token) =>
        {
            if (entry.Length > _options.MaxFileBytes)
            {
                skipped.Add(new SkippedFile(entry.RelativePath, SkipReason.TooLarge));
                return;
            }

            string text;
            try
            {
                text = await File.ReadAllTextAsync(entry.FullPath, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                skipped.Add(new SkippedFile(entry.RelativePath, SkipReason.Unreadable));
                return;
            }

            var result = new List<SecurityFinding>();
            if (!ScanYaml(text, entry.RelativePath, result))
            {
                skipped.Add(new SkippedFile(entry.RelativePath, SkipReason.Unreadable));
                return;
            }

            foreach (var finding in result)
            {
                findings.Add(finding);
            }

            Interlocked.Increment(ref scanned);
            Interlocked.Add(ref bytes, entry.Length);
        }).ConfigureAwait(false);

        return new SecretScanReport(
            [.. findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.RuleId, StringComparer.Ordinal)],
            scanned,
            [.. skipped.OrderBy(s => s.Path, StringComparer.Ordinal)],
            bytes,
            _time.GetElapsedTime(started));
    }

    /// <summary>Checks one YAML file's text; false when it is not valid YAML.</summary>
    internal static bool ScanYaml(string text, string file, ICollection<SecurityFinding> findings)
    {
        var isCompose = IsComposeFileName(Path.GetFileName(file));
        if (!isCompose && !(text.Contains("apiVersion:", StringComparison.Ordinal) && text.Contains("kind:", StringComparison.Ordinal)))
        {
            return true;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return false;
        }

        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root)
            {
                continue;
            }

            if (isCompose)
            {
                ScanCompose(root, file, findings);
            }
            else if (root.Children.ContainsKey(new YamlScalarNode("apiVersion")) && root.Children.ContainsKey(new YamlScalarNode("kind")))
            {
                ScanKubernetes(root, file, findings);
            }
        }

        return true;
    }

    private static bool IsComposeFileName(string name) =>
        ComposeFileName().IsMatch(name);

    private static void ScanCompose(YamlMappingNode root, string file, ICollection<SecurityFinding> findings)
    {
        if (Child(root, "services") is not YamlMappingNode services)
        {
            return;
        }

        foreach (var (_, serviceNode) in services.Children)
        {
            if (serviceNode is not YamlMappingNode service)
            {
                continue;
            }

            foreach (var (keyNode, value) in service.Children)
            {
                var key = ((YamlScalarNode)keyNode).Value;
                switch (key)
                {
                    case "privileged" when IsTrue(value):
                        Add(findings, RiskyConfigRuleCatalog.ComposePrivileged, file, keyNode, "privileged: true");
                        break;
                    case "network_mode" when Scalar(value) == "host":
                        Add(findings, RiskyConfigRuleCatalog.ComposeHostNetwork, file, keyNode, "network_mode: host");
                        break;
                    case "volumes" when value is YamlSequenceNode volumes:
                        ScanComposeVolumes(volumes, file, findings);
                        break;
                    case "environment":
                        ScanComposeEnvironment(value, file, findings);
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static void ScanComposeVolumes(YamlSequenceNode volumes, string file, ICollection<SecurityFinding> findings)
    {
        foreach (var volume in volumes.Children)
        {
            var source = volume switch
            {
                YamlScalarNode scalar => scalar.Value?.Split(':')[0],
                YamlMappingNode mapping => Scalar(Child(mapping, "source")),
                _ => null,
            };
            var normalized = source?.TrimEnd('/');
            if (normalized == "/var/run/docker.sock" || normalized == "/run/docker.sock")
            {
                Add(findings, RiskyConfigRuleCatalog.ComposeDockerSocket, file, volume, $"volumes: - {source}");
            }
            else if (source is not null && normalized!.Length == 0)
            {
                Add(findings, RiskyConfigRuleCatalog.ComposeHostRoot, file, volume, "volumes: - /");
            }
        }
    }

    private static void ScanComposeEnvironment(YamlNode environment, string file, ICollection<SecurityFinding> findings)
    {
        if (environment is YamlMappingNode mapping)
        {
            foreach (var (keyNode, value) in mapping.Children)
            {
                var name = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                if (IsSecretName(name) && IsLiteral(Scalar(value)))
                {
                    Add(findings, RiskyConfigRuleCatalog.ComposeLiteralSecret, file, keyNode, $"{name}: [REDACTED]");
                }
            }
        }
        else if (environment is YamlSequenceNode sequence)
        {
            foreach (var item in sequence.Children)
            {
                var entry = Scalar(item);
                var equals = entry?.IndexOf('=', StringComparison.Ordinal) ?? -1;
                if (equals > 0 && IsSecretName(entry![..equals]) && IsLiteral(entry[(equals + 1)..]))
                {
                    Add(findings, RiskyConfigRuleCatalog.ComposeLiteralSecret, file, item, $"- {entry[..equals]}=[REDACTED]");
                }
            }
        }
    }

    private static void ScanKubernetes(YamlNode node, string file, ICollection<SecurityFinding> findings)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (keyNode, value) in mapping.Children)
                {
                    CheckKubernetesKey(keyNode, value, file, findings);
                    ScanKubernetes(value, file, findings);
                }

                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    ScanKubernetes(child, file, findings);
                }

                break;
            default:
                break;
        }
    }

    private static void CheckKubernetesKey(YamlNode keyNode, YamlNode value, string file, ICollection<SecurityFinding> findings)
    {
        var key = (keyNode as YamlScalarNode)?.Value;
        switch (key)
        {
            case "privileged" when IsTrue(value):
                Add(findings, RiskyConfigRuleCatalog.KubePrivileged, file, keyNode, "privileged: true");
                break;
            case "hostPath" when value is YamlMappingNode:
                Add(findings, RiskyConfigRuleCatalog.KubeHostPath, file, keyNode, $"hostPath: path: {Scalar(Child((YamlMappingNode)value, "path"))}");
                break;
            case "runAsUser" when Scalar(value) == "0":
                Add(findings, RiskyConfigRuleCatalog.KubeRunsAsRoot, file, keyNode, "runAsUser: 0");
                break;
            case "runAsNonRoot" when IsFalse(value):
                Add(findings, RiskyConfigRuleCatalog.KubeRunsAsRoot, file, keyNode, "runAsNonRoot: false");
                break;
            case "allowPrivilegeEscalation" when IsTrue(value):
                Add(findings, RiskyConfigRuleCatalog.KubePrivilegeEscalation, file, keyNode, "allowPrivilegeEscalation: true");
                break;
            case "hostNetwork" or "hostPID" or "hostIPC" when IsTrue(value):
                Add(findings, RiskyConfigRuleCatalog.KubeHostNamespace, file, keyNode, $"{key}: true");
                break;
            case "env" when value is YamlSequenceNode env:
                foreach (var item in env.Children.OfType<YamlMappingNode>())
                {
                    var name = Scalar(Child(item, "name"));
                    var literal = Child(item, "value");
                    if (name is not null && literal is not null && IsSecretName(name) && IsLiteral(Scalar(literal)))
                    {
                        Add(findings, RiskyConfigRuleCatalog.KubeLiteralSecret, file, literal, $"- name: {name} value: [REDACTED]");
                    }
                }

                break;
            default:
                break;
        }
    }

    private static void Add(ICollection<SecurityFinding> findings, SecurityRuleDescriptor rule, string file, YamlNode node, string excerpt) =>
        findings.Add(new SecurityFinding(rule.Id, rule.Title, rule.Severity, file, (int)node.Start.Line, (int)node.Start.Column, excerpt)
        {
            Kind = SecurityFindingKind.RiskyConfiguration,
        });

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static bool IsTrue(YamlNode node) => Scalar(node)?.ToUpperInvariant() is "TRUE" or "YES" or "ON";

    private static bool IsFalse(YamlNode node) => Scalar(node)?.ToUpperInvariant() is "FALSE" or "NO" or "OFF";

    private static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>A real value written in the file: not empty, not an interpolation, not a placeholder.</summary>
    private static bool IsLiteral(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.StartsWith('$') && !SecretAllowlist.IsAllowed(value);

    [GeneratedRegex(@"^(?:docker-)?compose[\w.\-]*\.ya?ml$", RegexOptions.IgnoreCase)]
    private static partial Regex ComposeFileName();

    [GeneratedRegex(@"password|passwd|secret|token|key|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
