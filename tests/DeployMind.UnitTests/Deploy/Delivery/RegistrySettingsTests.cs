using DeployMind.Application.Build;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Deploy.Delivery;

public sealed class RegistrySettingsTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", "shop:abc", "127.0.0.1:5000/shop:abc")]
    [InlineData("registry.example.com/team/web", "shop:abc", "registry.example.com/team/web/shop:abc")]
    [InlineData("registry.example.com", "ghcr.io/acme/shop:1.2", "registry.example.com/shop:1.2")]
    public void Images_go_under_the_server_and_path_by_their_own_name_and_tag(string server, string image, string expected) =>
        Assert.Equal(expected, RegistrySettings.Parse(new() { Server = server }, "build.registry")!.ImageFor(image));

    [Fact]
    public void No_server_or_none_means_no_registry()
    {
        Assert.Null(RegistrySettings.Parse(null, "build.registry"));
        Assert.Null(RegistrySettings.Parse(new() { Server = "none" }, "environments.staging.build.registry"));
    }

    [Fact]
    public void An_ecr_server_is_recognised_with_its_region_and_takes_no_password()
    {
        var ecr = RegistrySettings.Parse(new() { Server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com" }, "build.registry")!;
        Assert.True(ecr.Ecr);
        Assert.True(ecr.LogsIn);
        Assert.Equal("eu-west-1", ecr.Region);

        var error = Assert.Throws<InvalidInputException>(() => RegistrySettings.Parse(
            new() { Server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com", Username = "AWS", PasswordVariable = "X" }, "build.registry"));
        Assert.Contains("login comes from the ECR API", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://registry.example.com", null, null, null, "build.registry.server 'https://registry.example.com' has a scheme")]
    [InlineData("registry example.com", null, null, null, "is not a registry host[:port]")]
    [InlineData("registry.example.com/Team", null, null, null, "the path 'Team' must be lower-case")]
    [InlineData("registry.example.com", "ci", null, null, "the user ci has no password; set passwordVariable")]
    [InlineData("registry.example.com", null, "REG_PASSWORD", null, "build.registry.username is missing")]
    [InlineData("registry.example.com", "ci", "REG_PASSWORD", "/run/secrets/reg", "set passwordVariable or passwordFile, not both")]
    [InlineData("registry.example.com", "ci", "reg-password", null, "passwordVariable 'reg-password' is not a variable name")]
    [InlineData(null, "ci", "REG_PASSWORD", null, "build.registry.server is missing")]
    public void Wrong_settings_name_their_key_and_what_to_write(string? server, string? user, string? variable, string? file, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => RegistrySettings.Parse(
            new RegistryOptions { Server = server, Username = user, PasswordVariable = variable, PasswordFile = file }, "build.registry"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
