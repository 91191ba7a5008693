namespace DeployMind.Domain.Build;

/// <summary>Display names of <see cref="Language"/>.</summary>
public static class LanguageExtensions
{
    /// <summary>The name users know the language by ("Node.js", ".NET").</summary>
    public static string DisplayName(this Language language) => language switch
    {
        Language.Node => "Node.js",
        Language.Python => "Python",
        Language.Go => "Go",
        Language.Java => "Java",
        Language.Ruby => "Ruby",
        Language.Rust => "Rust",
        Language.Php => "PHP",
        Language.DotNet => ".NET",
        _ => "unknown",
    };
}
