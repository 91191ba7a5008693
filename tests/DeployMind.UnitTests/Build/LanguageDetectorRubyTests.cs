using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.UnitTests.Build;

public sealed class LanguageDetectorRubyTests
{
    [Fact]
    public async Task DetectAsync_RailsGemfileWithLock_DetectsRails()
    {
        using var app = new TempAppFolder()
            .Write("Gemfile", "source \"https://rubygems.org\"\nruby \"3.3.1\"\ngem \"rails\", \"~> 7.1\"\ngem \"pg\"\n")
            .Write("Gemfile.lock", "GEM\n")
            .Write("config.ru", "run Rails.application");

        var result = await app.DetectAsync();

        Assert.Equal(Language.Ruby, result.Language);
        Assert.Equal("rails", result.Framework);
        Assert.Equal("bundle exec rails server -b 0.0.0.0 -p $PORT", result.StartCommand);
        Assert.Equal(3000, result.Port);
        Assert.Equal("bundler", result.PackageManager);
        Assert.Equal("Gemfile.lock", result.Lockfile);
        Assert.Equal("3.3.1", result.Facts[DetectionFacts.RubyVersion]);
        Assert.Equal(["Gemfile", "Gemfile: dependency rails", "Gemfile.lock", "port 3000 is Rails's default, given to the app in $PORT by the start command"], result.Evidence);
        Assert.Equal(1.0, result.Confidence);
    }

    [Fact]
    public async Task DetectAsync_SinatraScript_RunsScriptOnPort4567()
    {
        using var app = new TempAppFolder()
            .Write("Gemfile", "source 'https://rubygems.org'\ngem 'sinatra'\ngem 'puma'\n")
            .Write("app.rb", "require 'sinatra'\nget('/') { 'hi' }\n")
            .Write(".ruby-version", "3.2.4\n");

        var result = await app.DetectAsync();

        Assert.Equal("sinatra", result.Framework);
        Assert.Equal("app.rb", result.EntryPoint);
        Assert.Equal("bundle exec ruby app.rb", result.StartCommand);
        Assert.Equal(4567, result.Port);
        Assert.Null(result.Lockfile);
        Assert.Equal("3.2.4", result.Facts[DetectionFacts.RubyVersion]);
    }

    [Fact]
    public async Task DetectAsync_SinatraWithConfigRu_UsesRackup()
    {
        using var app = new TempAppFolder()
            .Write("Gemfile", "gem 'sinatra'\n")
            .Write("config.ru", "require './app'\nrun Sinatra::Application\n")
            .Write("app.rb", "require 'sinatra'\n");

        var result = await app.DetectAsync();

        Assert.Equal("config.ru", result.EntryPoint);
        Assert.Equal("bundle exec rackup -o 0.0.0.0 -p $PORT", result.StartCommand);
        Assert.Contains("config.ru", result.Evidence);
    }
}
