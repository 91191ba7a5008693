using System.Text;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>
/// Splits a POSIX shell script (a RUN's text or its heredoc) into simple commands joined by operators.
/// Good enough for lint rules: quotes and escapes are honoured, <c>$( ... )</c> and backticks stay inside
/// their word, comments are dropped, redirections become their own words. It does not expand variables.
/// </summary>
internal sealed class ShellScript
{
    private readonly List<ShellCommand> _commands = [];
    private readonly List<string> _words = [];
    private readonly StringBuilder _word = new();
    private bool _inWord;
    private int _subshellDepth;

    private ShellScript()
    {
    }

    /// <summary>The script's simple commands, in order, empty ones dropped.</summary>
    public static IReadOnlyList<ShellCommand> Split(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        var parser = new ShellScript();
        parser.Run(script);
        return parser._commands;
    }

    private void Run(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            switch (c)
            {
                case '\\':
                    if (next == '\n')
                    {
                        i++;
                    }
                    else if (next != '\0')
                    {
                        Append(next);
                        i++;
                    }

                    break;
                case '\'':
                    _inWord = true;
                    var close = s.IndexOf('\'', i + 1);
                    close = close < 0 ? s.Length : close;
                    _word.Append(s, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    i = ReadDoubleQuoted(s, i + 1);
                    break;
                case '$' when next == '(':
                    i = ReadBalanced(s, i);
                    break;
                case '`':
                    _inWord = true;
                    var end = s.IndexOf('`', i + 1);
                    end = end < 0 ? s.Length - 1 : end;
                    _word.Append(s, i, end - i + 1);
                    i = end;
                    break;
                case '#' when !_inWord:
                    while (i + 1 < s.Length && s[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case ' ' or '\t':
                    FlushWord();
                    break;
                case '\n' or ';':
                    EndCommand(c == ';' ? ";" : "\n");
                    break;
                case '&' when next == '&':
                    EndCommand("&&");
                    i++;
                    break;
                case '&' when next == '>':
                    FlushWord();
                    i = ReadRedirection(s, i);
                    break;
                case '&':
                    EndCommand("&");
                    break;
                case '|' when next == '|':
                    EndCommand("||");
                    i++;
                    break;
                case '|' when next == '&':
                    EndCommand("|");
                    i++;
                    break;
                case '|':
                    EndCommand("|");
                    break;
                case '<' or '>':
                    if (!IsFileDescriptorPrefix())
                    {
                        FlushWord();
                    }

                    i = ReadRedirection(s, i);
                    break;
                case '(' when !_inWord:
                    EndCommand(string.Empty);
                    _subshellDepth++;
                    break;
                case ')' when !_inWord || _subshellDepth > 0:
                    EndCommand(string.Empty);
                    _subshellDepth = Math.Max(0, _subshellDepth - 1);
                    break;
                default:
                    Append(c);
                    break;
            }
        }

        EndCommand(string.Empty);
    }

    private void Append(char c)
    {
        _inWord = true;
        _word.Append(c);
    }

    private bool IsFileDescriptorPrefix() => _inWord && _word.Length > 0 && _word.ToString().All(char.IsDigit);

    private int ReadDoubleQuoted(string s, int start)
    {
        _inWord = true;
        var i = start;
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is '"' or '\\' or '$' or '`')
            {
                _word.Append(s[i + 1]);
                i += 2;
            }
            else if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '\n')
            {
                i += 2;
            }
            else
            {
                _word.Append(s[i]);
                i++;
            }
        }

        return i;
    }

    private int ReadBalanced(string s, int start)
    {
        _inWord = true;
        var depth = 0;
        var i = start;
        for (; i < s.Length; i++)
        {
            _word.Append(s[i]);
            if (s[i] == '(')
            {
                depth++;
            }
            else if (s[i] == ')' && --depth == 0)
            {
                break;
            }
        }

        return Math.Min(i, s.Length - 1);
    }

    private int ReadRedirection(string s, int start)
    {
        _inWord = true;
        var i = start;
        while (i < s.Length && s[i] is '<' or '>' or '&')
        {
            _word.Append(s[i]);
            i++;
        }

        while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '-'))
        {
            _word.Append(s[i]);
            i++;
        }

        FlushWord();
        return i - 1;
    }

    private void FlushWord()
    {
        if (_inWord)
        {
            _words.Add(_word.ToString());
            _word.Clear();
            _inWord = false;
        }
    }

    private void EndCommand(string op)
    {
        FlushWord();
        if (_words.Count > 0)
        {
            _commands.Add(new ShellCommand([.. _words], op, _subshellDepth > 0));
            _words.Clear();
        }
        else if (op is "|" or "&&" or "||" && _commands.Count > 0 && _commands[^1].Operator is "" or "\n")
        {
            // "( a | b ) | c": the operator after a subshell belongs to its last command.
            _commands[^1] = _commands[^1] with { Operator = op };
        }
    }
}
