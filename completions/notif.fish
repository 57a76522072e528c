# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_notif_global_optspecs
    string join \n server= token= config= json v/verbose timeout= h/help V/version
end

function __fish_notif_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_notif_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_notif_using_subcommand
    set -l cmd (__fish_notif_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c notif -n "__fish_notif_needs_command" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_needs_command" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_needs_command" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_needs_command" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_needs_command" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_needs_command" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_needs_command" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_needs_command" -s V -l version -d 'Print version'
complete -c notif -n "__fish_notif_needs_command" -f -a "send" -d 'Send a notification'
complete -c notif -n "__fish_notif_needs_command" -f -a "list" -d 'List the inbox, unread first'
complete -c notif -n "__fish_notif_needs_command" -f -a "ls" -d 'List the inbox, unread first'
complete -c notif -n "__fish_notif_needs_command" -f -a "read" -d 'Mark notifications read'
complete -c notif -n "__fish_notif_needs_command" -f -a "unread" -d 'Mark notifications unread'
complete -c notif -n "__fish_notif_needs_command" -f -a "read-all" -d 'Mark every notification read'
complete -c notif -n "__fish_notif_needs_command" -f -a "rm" -d 'Delete notifications'
complete -c notif -n "__fish_notif_needs_command" -f -a "prefs" -d 'Show or change delivery preferences'
complete -c notif -n "__fish_notif_needs_command" -f -a "login" -d 'Check a token and save it with the server URL in the config file'
complete -c notif -n "__fish_notif_needs_command" -f -a "watch" -d 'Follow new notifications as they arrive'
complete -c notif -n "__fish_notif_needs_command" -f -a "tui" -d 'Live terminal inbox with desktop toasts'
complete -c notif -n "__fish_notif_needs_command" -f -a "web" -d 'Open the web inbox in the browser, signed in'
complete -c notif -n "__fish_notif_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c notif -n "__fish_notif_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c notif -n "__fish_notif_using_subcommand send" -s b -l body -d 'Body text; `-` reads it from stdin' -r
complete -c notif -n "__fish_notif_using_subcommand send" -s t -l type -d 'Type, in any case [default: info]' -r -f -a "info\t''
success\t''
warning\t''
error\t''"
complete -c notif -n "__fish_notif_using_subcommand send" -s l -l link -d 'Link: an absolute http, https or mailto URL (spaces are percent-encoded)' -r
complete -c notif -n "__fish_notif_using_subcommand send" -s c -l category -d 'Category, which selects the recipient\'s per-category preference' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l to -d 'Recipient user id (default: the token\'s own user; required with a service token, checked before sending when `notif login` saved it)' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l idempotency-key -d 'Key that makes retries safe: the server creates nothing for a repeated key; 1 to 255 printable ASCII characters [default: a random key per invocation]' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l retries -d 'How many times to retry when the server is unreachable, failing (5xx) or busy (429)' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand send" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand send" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand send" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand send" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand list" -s t -l type -d 'Only this type, in any case' -r -f -a "info\t''
success\t''
warning\t''
error\t''"
complete -c notif -n "__fish_notif_using_subcommand list" -s c -l category -d 'Only this category' -r
complete -c notif -n "__fish_notif_using_subcommand list" -s s -l search -d 'Only notifications whose title, body or category contain every word of TEXT' -r
complete -c notif -n "__fish_notif_using_subcommand list" -s n -l limit -d 'Show at most N notifications (1 or more; fetched in pages of up to 200)' -r
complete -c notif -n "__fish_notif_using_subcommand list" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand list" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand list" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand list" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand list" -s u -l unread -d 'Only unread notifications'
complete -c notif -n "__fish_notif_using_subcommand list" -s a -l all -d 'Show every notification (cannot be combined with --limit)'
complete -c notif -n "__fish_notif_using_subcommand list" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand list" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand list" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand ls" -s t -l type -d 'Only this type, in any case' -r -f -a "info\t''
success\t''
warning\t''
error\t''"
complete -c notif -n "__fish_notif_using_subcommand ls" -s c -l category -d 'Only this category' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -s s -l search -d 'Only notifications whose title, body or category contain every word of TEXT' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -s n -l limit -d 'Show at most N notifications (1 or more; fetched in pages of up to 200)' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand ls" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand ls" -s u -l unread -d 'Only unread notifications'
complete -c notif -n "__fish_notif_using_subcommand ls" -s a -l all -d 'Show every notification (cannot be combined with --limit)'
complete -c notif -n "__fish_notif_using_subcommand ls" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand ls" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand ls" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand read" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand read" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand read" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand read" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand read" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand read" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand read" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand unread" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand unread" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand unread" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand unread" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand unread" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand unread" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand unread" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand read-all" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand read-all" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand read-all" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand read-all" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand read-all" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand read-all" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand read-all" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand rm" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand rm" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand rm" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand rm" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand rm" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand rm" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand rm" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -f -a "set" -d 'Change flags, globally or (with --category) for one category'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -f -a "unset" -d 'Remove a category\'s settings, so that the global ones apply'
complete -c notif -n "__fish_notif_using_subcommand prefs; and not __fish_seen_subcommand_from set unset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l in-app -d 'In-app delivery (inbox and live stream)' -r -f -a "on\t''
off\t''"
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l email -d 'Email delivery' -r -f -a "on\t''
off\t''"
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l category -d 'Apply the flags to this category only' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l category -d 'The category to reset' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change flags, globally or (with --category) for one category'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "unset" -d 'Remove a category\'s settings, so that the global ones apply'
complete -c notif -n "__fish_notif_using_subcommand prefs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c notif -n "__fish_notif_using_subcommand login" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand login" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand login" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand login" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand login" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand login" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand login" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand watch" -l exec -d 'Run CMD for each notification (see below)' -r
complete -c notif -n "__fish_notif_using_subcommand watch" -l last-event-id -d 'Replay the notifications after this stream sequence number first' -r
complete -c notif -n "__fish_notif_using_subcommand watch" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand watch" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand watch" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand watch" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand watch" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand watch" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand watch" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand tui" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand tui" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand tui" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand tui" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand tui" -l no-toast -d 'Do not raise desktop toasts for new notifications'
complete -c notif -n "__fish_notif_using_subcommand tui" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand tui" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand tui" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand web" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand web" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand web" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand web" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand web" -l print -d 'Print the sign-in URL instead of opening a browser'
complete -c notif -n "__fish_notif_using_subcommand web" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand web" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand web" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand completions" -l server -d 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]' -r
complete -c notif -n "__fish_notif_using_subcommand completions" -l token -d 'Token for the API [env: NOTIF_TOKEN]' -r
complete -c notif -n "__fish_notif_using_subcommand completions" -l config -d 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]' -r -F
complete -c notif -n "__fish_notif_using_subcommand completions" -l timeout -d 'Longest wait for the server, retries included (not for watch and tui)' -r
complete -c notif -n "__fish_notif_using_subcommand completions" -l json -d 'Print data as JSON, for programs'
complete -c notif -n "__fish_notif_using_subcommand completions" -s v -l verbose -d 'Say on stderr where the server and token come from'
complete -c notif -n "__fish_notif_using_subcommand completions" -s h -l help -d 'Print help'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "send" -d 'Send a notification'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "list" -d 'List the inbox, unread first'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "read" -d 'Mark notifications read'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "unread" -d 'Mark notifications unread'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "read-all" -d 'Mark every notification read'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "rm" -d 'Delete notifications'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "prefs" -d 'Show or change delivery preferences'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "login" -d 'Check a token and save it with the server URL in the config file'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "watch" -d 'Follow new notifications as they arrive'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "tui" -d 'Live terminal inbox with desktop toasts'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "web" -d 'Open the web inbox in the browser, signed in'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c notif -n "__fish_notif_using_subcommand help; and not __fish_seen_subcommand_from send list read unread read-all rm prefs login watch tui web completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c notif -n "__fish_notif_using_subcommand help; and __fish_seen_subcommand_from prefs" -f -a "set" -d 'Change flags, globally or (with --category) for one category'
complete -c notif -n "__fish_notif_using_subcommand help; and __fish_seen_subcommand_from prefs" -f -a "unset" -d 'Remove a category\'s settings, so that the global ones apply'
