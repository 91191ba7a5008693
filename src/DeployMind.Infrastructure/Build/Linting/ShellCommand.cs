namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>One simple command of a RUN script (<c>apt-get install -y curl</c>), quotes removed.</summary>
/// <param name="Words">The words as the shell would pass them, variable references left as written.</param>
/// <param name="Operator">What follows it: "&amp;&amp;", "||", "|", ";", "&amp;", "\n", or "" at the end.</param>
/// <param name="InSubshell">The command runs inside ( ... ), so a <c>cd</c> there does not leak.</param>
internal sealed record ShellCommand(IReadOnlyList<string> Words, string Operator, bool InSubshell)
{
    private static readonly HashSet<string> Wrappers = new(StringComparer.Ordinal) { "sudo", "env", "exec", "command", "nohup", "time", "nice" };

    /// <summary>Index of the program word: past <c>VAR=value</c> assignments and wrappers such as sudo or env; Words.Count when none.</summary>
    public int ProgramIndex
    {
        get
        {
            var index = 0;
            while (index < Words.Count)
            {
                var word = Words[index];
                if (IsAssignment(word))
                {
                    index++;
                }
                else if (Wrappers.Contains(word))
                {
                    index++;
                    while (index < Words.Count && (Words[index].StartsWith('-') || IsAssignment(Words[index])))
                    {
                        // sudo -u user / nice -n 10: the option's value is the next word.
                        var takesValue = Words[index] is "-u" or "-g" or "-n" or "-C" or "-h";
                        index += takesValue ? 2 : 1;
                    }
                }
                else
                {
                    break;
                }
            }

            return index;
        }
    }

    /// <summary>The program's file name (<c>/usr/bin/apt-get</c> → <c>apt-get</c>), or "" when there is none.</summary>
    public string Program
    {
        get
        {
            var index = ProgramIndex;
            if (index >= Words.Count)
            {
                return string.Empty;
            }

            var word = Words[index];
            var slash = word.LastIndexOf('/');
            return slash >= 0 ? word[(slash + 1)..] : word;
        }
    }

    /// <summary>The words after the program.</summary>
    public IReadOnlyList<string> Arguments => [.. Words.Skip(ProgramIndex + 1)];

    /// <summary>The first word before the program is sudo.</summary>
    public bool UsesSudo => Words.Take(ProgramIndex).Contains("sudo");

    /// <summary>The environment assignments written in front of the command (<c>PIP_NO_CACHE_DIR=1 pip install ...</c>).</summary>
    public IEnumerable<string> InlineAssignments => Words.Take(ProgramIndex).Where(IsAssignment);

    /// <summary>The first argument that is not an option, skipping the values of the listed options.</summary>
    public string? Subcommand(params string[] optionsWithValue)
    {
        var arguments = Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            var word = arguments[i];
            if (word.StartsWith('-'))
            {
                if (optionsWithValue.Contains(word))
                {
                    i++;
                }

                continue;
            }

            return word;
        }

        return null;
    }

    private static bool IsAssignment(string word)
    {
        var equals = word.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !(char.IsLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }

        for (var i = 1; i < equals; i++)
        {
            if (!(char.IsLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
