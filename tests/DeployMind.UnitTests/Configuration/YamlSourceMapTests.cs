using DeployMind.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace DeployMind.UnitTests.Configuration;

public sealed class YamlSourceMapTests
{
    [Fact]
    public void Parse_NestedMappings_KeysJoinedByColonAtTheirLines()
    {
        var map = Parse("""
            app: shop
            environments:
              production:
                strategy: canary
                target:
                  docker:
                    port: 8080
            """);

        Assert.Equal(new YamlKeyPosition(1, 1, 1, 6, IsScalar: true), Find(map, "app"));
        Assert.Equal(new YamlKeyPosition(3, 3, 4, 5, IsScalar: false), Find(map, "environments:production"));
        Assert.Equal(new YamlKeyPosition(4, 5, 4, 15, IsScalar: true), Find(map, "environments:production:strategy"));
        Assert.Equal((7, 15), Find(map, "environments:production:target:docker:port").Setting);
        Assert.Equal((5, 5), Find(map, "environments:production:target").Setting);
    }

    [Fact]
    public void Parse_BlockSequence_ItemsByIndex()
    {
        var map = Parse("""
            hosts:
              - name: web-1
                ssh: deploy@203.0.113.10
              - name: web-2
            steps:
              - 10
              - 100
            """);

        Assert.Equal((2, 5), (Find(map, "hosts:0").KeyLine, Find(map, "hosts:0").KeyColumn));
        Assert.Equal((3, 10), Find(map, "hosts:0:ssh").Setting);
        Assert.Equal((4, 11), Find(map, "hosts:1:name").Setting);
        Assert.Equal((7, 5), Find(map, "steps:1").Setting);
    }

    [Fact]
    public void Parse_FlowStyle_MappingsAndSequencesOnOneLine()
    {
        var map = Parse("""
            healthCheck: { path: /health, interval: 2s }
            canary: { steps: [10, 50, 100] }
            hosts: [ { name: web-1, ssh: deploy@host }, { name: web-2 } ]
            """);

        Assert.Equal((1, 41), Find(map, "healthCheck:interval").Setting);
        Assert.Equal((2, 23), Find(map, "canary:steps:1").Setting);
        Assert.Equal((3, 30), Find(map, "hosts:0:ssh").Setting);
        Assert.Equal((3, 53), Find(map, "hosts:1:name").Setting);
    }

    [Fact]
    public void Parse_KeyInAnotherCase_IsFound()
    {
        var map = Parse("Environments:\n  Production:\n    healthCheck: { Interval: 2s }\n");

        Assert.Equal((3, 30), Find(map, "environments:production:HEALTHCHECK:interval").Setting);
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_KeepTheFilesLineNumbers()
    {
        var map = Parse("# DeployMind configuration\n\napp: shop   # the name\n\n# environments\nenvironments:\n  # the live one\n  production: { strategy: rolling }\n");

        Assert.Equal((3, 6), Find(map, "app").Setting);
        Assert.Equal((8, 27), Find(map, "environments:production:strategy").Setting);
    }

    [Fact]
    public void Parse_EmptyAndScalarDocuments_HaveNoKeys()
    {
        Assert.Empty(Parse(string.Empty).Keys);
        Assert.Empty(Parse("# only a comment\n").Keys);
        Assert.Empty(Parse("just text\n").Keys);
    }

    [Fact]
    public void Parse_SameFile_CoversEveryKeyTheYamlProviderReads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dm-map-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, """
            app: shop
            build: { path: ., baseImages: { node: registry.internal/node:20 } }
            environments:
              production:
                target:
                  docker:
                    hosts: [ { name: web-1, ssh: deploy@203.0.113.10 }, { name: web-2 } ]
                    port: 8080
                canary:
                  steps:
                    - 10
                    - 100
                  maxP95: ~
                branch: ''
            """);
        try
        {
            var provided = new ConfigurationBuilder().AddYamlFile(path).Build().Providers.Single();
            var map = YamlSourceMap.Load(path);

            var leaves = Leaves(provided, null).ToList();
            Assert.Equal(11, leaves.Count);
            Assert.All(leaves, key => Assert.True(map.TryFind(key, out _), key));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_MissingOrBrokenFile_IsEmpty()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dm-map-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, "build:\n  path: .\n   network: [host\n");
        try
        {
            Assert.Empty(YamlSourceMap.Load(path).Keys);
            Assert.Empty(YamlSourceMap.Load(path + ".missing").Keys);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static YamlSourceMap Parse(string yaml) => YamlSourceMap.Parse(new StringReader(yaml));

    private static YamlKeyPosition Find(YamlSourceMap map, string key) =>
        map.TryFind(key, out var position) ? position : throw new Xunit.Sdk.XunitException($"'{key}' is not in the map.");

    // The provider's keys with a value (the leaves), the way the configuration reads them.
    private static IEnumerable<string> Leaves(IConfigurationProvider provider, string? parent)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var key = parent is null ? child : $"{parent}:{child}";
            if (provider.TryGet(key, out _))
            {
                yield return key;
            }
            else
            {
                foreach (var leaf in Leaves(provider, key))
                {
                    yield return leaf;
                }
            }
        }
    }
}
