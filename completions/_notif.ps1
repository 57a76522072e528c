
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'notif' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'notif'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'notif' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a notification')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the inbox, unread first')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the inbox, unread first')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Mark notifications read')
            [CompletionResult]::new('unread', 'unread', [CompletionResultType]::ParameterValue, 'Mark notifications unread')
            [CompletionResult]::new('read-all', 'read-all', [CompletionResultType]::ParameterValue, 'Mark every notification read')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete notifications')
            [CompletionResult]::new('prefs', 'prefs', [CompletionResultType]::ParameterValue, 'Show or change delivery preferences')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Check a token and save it with the server URL in the config file')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow new notifications as they arrive')
            [CompletionResult]::new('tui', 'tui', [CompletionResultType]::ParameterValue, 'Live terminal inbox with desktop toasts')
            [CompletionResult]::new('web', 'web', [CompletionResultType]::ParameterValue, 'Open the web inbox in the browser, signed in')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'notif;send' {
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Body text; `-` reads it from stdin')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Body text; `-` reads it from stdin')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Type, in any case [default: info]')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Type, in any case [default: info]')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Link: an absolute http, https or mailto URL (spaces are percent-encoded)')
            [CompletionResult]::new('--link', '--link', [CompletionResultType]::ParameterName, 'Link: an absolute http, https or mailto URL (spaces are percent-encoded)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Category, which selects the recipient''s per-category preference')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Category, which selects the recipient''s per-category preference')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Recipient user id (default: the token''s own user; required with a service token, checked before sending when `notif login` saved it)')
            [CompletionResult]::new('--idempotency-key', '--idempotency-key', [CompletionResultType]::ParameterName, 'Key that makes retries safe: the server creates nothing for a repeated key; 1 to 255 printable ASCII characters [default: a random key per invocation]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How many times to retry when the server is unreachable, failing (5xx) or busy (429)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;list' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this type, in any case')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only this type, in any case')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only notifications whose title, body or category contain every word of TEXT')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only notifications whose title, body or category contain every word of TEXT')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show at most N notifications (1 or more; fetched in pages of up to 200)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N notifications (1 or more; fetched in pages of up to 200)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Only unread notifications')
            [CompletionResult]::new('--unread', '--unread', [CompletionResultType]::ParameterName, 'Only unread notifications')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show every notification (cannot be combined with --limit)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show every notification (cannot be combined with --limit)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;ls' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Only this type, in any case')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Only this type, in any case')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only this category')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only notifications whose title, body or category contain every word of TEXT')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Only notifications whose title, body or category contain every word of TEXT')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Show at most N notifications (1 or more; fetched in pages of up to 200)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Show at most N notifications (1 or more; fetched in pages of up to 200)')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Only unread notifications')
            [CompletionResult]::new('--unread', '--unread', [CompletionResultType]::ParameterName, 'Only unread notifications')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show every notification (cannot be combined with --limit)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Show every notification (cannot be combined with --limit)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;read' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;unread' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;read-all' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;rm' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;prefs' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change flags, globally or (with --category) for one category')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a category''s settings, so that the global ones apply')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'notif;prefs;set' {
            [CompletionResult]::new('--in-app', '--in-app', [CompletionResultType]::ParameterName, 'In-app delivery (inbox and live stream)')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'Email delivery')
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Apply the flags to this category only')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;prefs;unset' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'The category to reset')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;prefs;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change flags, globally or (with --category) for one category')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a category''s settings, so that the global ones apply')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'notif;prefs;help;set' {
            break
        }
        'notif;prefs;help;unset' {
            break
        }
        'notif;prefs;help;help' {
            break
        }
        'notif;login' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;watch' {
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run CMD for each notification (see below)')
            [CompletionResult]::new('--last-event-id', '--last-event-id', [CompletionResultType]::ParameterName, 'Replay the notifications after this stream sequence number first')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;tui' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--no-toast', '--no-toast', [CompletionResultType]::ParameterName, 'Do not raise desktop toasts for new notifications')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;web' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the sign-in URL instead of opening a browser')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;completions' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token for the API [env: NOTIF_TOKEN]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Longest wait for the server, retries included (not for watch and tui)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print data as JSON, for programs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say on stderr where the server and token come from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'notif;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send a notification')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the inbox, unread first')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Mark notifications read')
            [CompletionResult]::new('unread', 'unread', [CompletionResultType]::ParameterValue, 'Mark notifications unread')
            [CompletionResult]::new('read-all', 'read-all', [CompletionResultType]::ParameterValue, 'Mark every notification read')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete notifications')
            [CompletionResult]::new('prefs', 'prefs', [CompletionResultType]::ParameterValue, 'Show or change delivery preferences')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Check a token and save it with the server URL in the config file')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow new notifications as they arrive')
            [CompletionResult]::new('tui', 'tui', [CompletionResultType]::ParameterValue, 'Live terminal inbox with desktop toasts')
            [CompletionResult]::new('web', 'web', [CompletionResultType]::ParameterValue, 'Open the web inbox in the browser, signed in')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'notif;help;send' {
            break
        }
        'notif;help;list' {
            break
        }
        'notif;help;read' {
            break
        }
        'notif;help;unread' {
            break
        }
        'notif;help;read-all' {
            break
        }
        'notif;help;rm' {
            break
        }
        'notif;help;prefs' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change flags, globally or (with --category) for one category')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a category''s settings, so that the global ones apply')
            break
        }
        'notif;help;prefs;set' {
            break
        }
        'notif;help;prefs;unset' {
            break
        }
        'notif;help;login' {
            break
        }
        'notif;help;watch' {
            break
        }
        'notif;help;tui' {
            break
        }
        'notif;help;web' {
            break
        }
        'notif;help;completions' {
            break
        }
        'notif;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
