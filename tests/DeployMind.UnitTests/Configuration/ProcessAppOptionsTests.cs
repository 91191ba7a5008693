using DeployMind.Application;
using DeployMind.Application.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.UnitTests.Configuration;

public sealed class ProcessAppOptionsTests
{
    [Fact]
    public async Task Value_ConfigurationReloaded_IsBoundAgainOnceAndKeptUntilTheNextReload()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dm-process-options-").FullName, "deploymind.json");
        try
        {
            await File.WriteAllTextAsync(file, """{ "app": "shop", "domains": ["shop.example.com"] }""");
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: false);
            builder.AddDeployMindApplication();
            using var services = builder.Services.BuildServiceProvider();
            var options = services.GetRequiredService<ProcessAppOptions>();

            var first = options.Value;

            Assert.Equal("shop", first.App);
            Assert.Equal(["shop.example.com"], first.Domains);
            Assert.Same(first, options.Value);

            // The file changes: nothing is bound again until the configuration reloads.
            await File.WriteAllTextAsync(file, """{ "app": "blog", "domains": ["blog.example.com", "www.blog.example.com"] }""");
            Assert.Same(first, options.Value);

            ((IConfigurationRoot)builder.Configuration).Reload();
            var second = options.Value;

            Assert.Equal("blog", second.App);
            Assert.Equal(["blog.example.com", "www.blog.example.com"], second.Domains);
            Assert.Same(second, options.Value);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }
}
