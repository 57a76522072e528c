
use builtin;
use str;

set edit:completion:arg-completer[notif] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'notif'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'notif'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Send a notification'
            cand list 'List the inbox, unread first'
            cand ls 'List the inbox, unread first'
            cand read 'Mark notifications read'
            cand unread 'Mark notifications unread'
            cand read-all 'Mark every notification read'
            cand rm 'Delete notifications'
            cand prefs 'Show or change delivery preferences'
            cand login 'Check a token and save it with the server URL in the config file'
            cand watch 'Follow new notifications as they arrive'
            cand tui 'Live terminal inbox with desktop toasts'
            cand web 'Open the web inbox in the browser, signed in'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'notif;send'= {
            cand -b 'Body text; `-` reads it from stdin'
            cand --body 'Body text; `-` reads it from stdin'
            cand -t 'Type, in any case [default: info]'
            cand --type 'Type, in any case [default: info]'
            cand -l 'Link: an absolute http, https or mailto URL (spaces are percent-encoded)'
            cand --link 'Link: an absolute http, https or mailto URL (spaces are percent-encoded)'
            cand -c 'Category, which selects the recipient''s per-category preference'
            cand --category 'Category, which selects the recipient''s per-category preference'
            cand --to 'Recipient user id (default: the token''s own user; required with a service token, checked before sending when `notif login` saved it)'
            cand --idempotency-key 'Key that makes retries safe: the server creates nothing for a repeated key; 1 to 255 printable ASCII characters [default: a random key per invocation]'
            cand --retries 'How many times to retry when the server is unreachable, failing (5xx) or busy (429)'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;list'= {
            cand -t 'Only this type, in any case'
            cand --type 'Only this type, in any case'
            cand -c 'Only this category'
            cand --category 'Only this category'
            cand -s 'Only notifications whose title, body or category contain every word of TEXT'
            cand --search 'Only notifications whose title, body or category contain every word of TEXT'
            cand -n 'Show at most N notifications (1 or more; fetched in pages of up to 200)'
            cand --limit 'Show at most N notifications (1 or more; fetched in pages of up to 200)'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand -u 'Only unread notifications'
            cand --unread 'Only unread notifications'
            cand -a 'Show every notification (cannot be combined with --limit)'
            cand --all 'Show every notification (cannot be combined with --limit)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;ls'= {
            cand -t 'Only this type, in any case'
            cand --type 'Only this type, in any case'
            cand -c 'Only this category'
            cand --category 'Only this category'
            cand -s 'Only notifications whose title, body or category contain every word of TEXT'
            cand --search 'Only notifications whose title, body or category contain every word of TEXT'
            cand -n 'Show at most N notifications (1 or more; fetched in pages of up to 200)'
            cand --limit 'Show at most N notifications (1 or more; fetched in pages of up to 200)'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand -u 'Only unread notifications'
            cand --unread 'Only unread notifications'
            cand -a 'Show every notification (cannot be combined with --limit)'
            cand --all 'Show every notification (cannot be combined with --limit)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;read'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;unread'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;read-all'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;rm'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;prefs'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Change flags, globally or (with --category) for one category'
            cand unset 'Remove a category''s settings, so that the global ones apply'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'notif;prefs;set'= {
            cand --in-app 'In-app delivery (inbox and live stream)'
            cand --email 'Email delivery'
            cand --category 'Apply the flags to this category only'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;prefs;unset'= {
            cand --category 'The category to reset'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;prefs;help'= {
            cand set 'Change flags, globally or (with --category) for one category'
            cand unset 'Remove a category''s settings, so that the global ones apply'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'notif;prefs;help;set'= {
        }
        &'notif;prefs;help;unset'= {
        }
        &'notif;prefs;help;help'= {
        }
        &'notif;login'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;watch'= {
            cand --exec 'Run CMD for each notification (see below)'
            cand --last-event-id 'Replay the notifications after this stream sequence number first'
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;tui'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --no-toast 'Do not raise desktop toasts for new notifications'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;web'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --print 'Print the sign-in URL instead of opening a browser'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;completions'= {
            cand --server 'Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]'
            cand --token 'Token for the API [env: NOTIF_TOKEN]'
            cand --config 'Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]'
            cand --timeout 'Longest wait for the server, retries included (not for watch and tui)'
            cand --json 'Print data as JSON, for programs'
            cand -v 'Say on stderr where the server and token come from'
            cand --verbose 'Say on stderr where the server and token come from'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'notif;help'= {
            cand send 'Send a notification'
            cand list 'List the inbox, unread first'
            cand read 'Mark notifications read'
            cand unread 'Mark notifications unread'
            cand read-all 'Mark every notification read'
            cand rm 'Delete notifications'
            cand prefs 'Show or change delivery preferences'
            cand login 'Check a token and save it with the server URL in the config file'
            cand watch 'Follow new notifications as they arrive'
            cand tui 'Live terminal inbox with desktop toasts'
            cand web 'Open the web inbox in the browser, signed in'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'notif;help;send'= {
        }
        &'notif;help;list'= {
        }
        &'notif;help;read'= {
        }
        &'notif;help;unread'= {
        }
        &'notif;help;read-all'= {
        }
        &'notif;help;rm'= {
        }
        &'notif;help;prefs'= {
            cand set 'Change flags, globally or (with --category) for one category'
            cand unset 'Remove a category''s settings, so that the global ones apply'
        }
        &'notif;help;prefs;set'= {
        }
        &'notif;help;prefs;unset'= {
        }
        &'notif;help;login'= {
        }
        &'notif;help;watch'= {
        }
        &'notif;help;tui'= {
        }
        &'notif;help;web'= {
        }
        &'notif;help;completions'= {
        }
        &'notif;help;help'= {
        }
    ]
    $completions[$command]
}
