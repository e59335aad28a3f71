<?php
// A ringtone upload handler in the style of a FreePBX module page: the administrator uploads an
// audio file, ringforge makes the phone's .sln of it, and the page shows the result and the
// tone's ringtones.xml entry.
//
// How it stays safe:
// - the `ringforge` binary runs through proc_open() with an argument array: no shell, so
//   nothing in a file name or form field is ever interpreted as a command;
// - the upload is copied into a fresh temporary folder under a name this script makes (the
//   tone id: lowercase letters, digits, `-`, `_`) with an extension from a fixed list;
// - ringforge's `--report json` says what happened; its output is published with an atomic
//   rename, so the phones never fetch half a file; the temporary folders are removed whatever
//   happens, and a conversion that runs too long is stopped;
// - everything shown in the page is escaped with htmlspecialchars().
//
// Configuration (environment): RINGFORGE_BIN (the binary), RINGFORGE_TONES_DIR (where the
// phones' files are served from), RINGFORGE_URL_PREFIX (the URL of that folder).

declare(strict_types=1);

const ALLOWED_EXTENSIONS = ['wav', 'mp3', 'flac', 'ogg', 'oga', 'm4a', 'mp4', 'aif', 'aiff'];
const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
const CONVERT_SECONDS = 60;

function h(string $text): string
{
    return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}

/** A tone id from what the user typed or the file's name, or null when nothing usable is left. */
function tone_id(string $wanted): ?string
{
    $id = strtolower(trim($wanted));
    $id = preg_replace('/[^a-z0-9_]+/', '-', $id) ?? '';
    $id = trim($id, '-');
    return preg_match('/^[a-z0-9][a-z0-9_-]{0,62}$/', $id) === 1 ? $id : null;
}

/** Removes a folder this script made, and everything in it. */
function remove_tree(string $dir): void
{
    if (!is_dir($dir) || is_link($dir)) {
        return;
    }
    foreach (scandir($dir) ?: [] as $entry) {
        if ($entry === '.' || $entry === '..') {
            continue;
        }
        $path = $dir . DIRECTORY_SEPARATOR . $entry;
        is_dir($path) && !is_link($path) ? remove_tree($path) : unlink($path);
    }
    rmdir($dir);
}

function make_temp_dir(string $prefix): string
{
    $dir = sys_get_temp_dir() . DIRECTORY_SEPARATOR . $prefix . bin2hex(random_bytes(8));
    if (!mkdir($dir, 0700)) {
        throw new RuntimeException('cannot create a temporary folder');
    }
    return $dir;
}

/**
 * Runs a command given as an argument array (no shell), with a time limit.
 * Returns [exit code, standard output, standard error].
 */
function run_command(array $argv, int $seconds): array
{
    $spec = [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
    $proc = proc_open($argv, $spec, $pipes);
    if (!is_resource($proc)) {
        throw new RuntimeException('cannot start ringforge');
    }
    $out = ['', ''];
    $open = [1 => $pipes[1], 2 => $pipes[2]];
    foreach ($open as $p) {
        stream_set_blocking($p, false);
    }
    $deadline = microtime(true) + $seconds;
    while ($open) {
        $left = $deadline - microtime(true);
        if ($left <= 0) {
            proc_terminate($proc, 9);
            proc_close($proc);
            throw new RuntimeException("the conversion took longer than $seconds s and was stopped");
        }
        $read = array_values($open);
        $write = $except = null;
        if (stream_select($read, $write, $except, (int) ceil($left)) === false) {
            break;
        }
        foreach ($open as $n => $p) {
            $chunk = fread($p, 65536);
            if ($chunk !== false && $chunk !== '') {
                $out[$n - 1] .= $chunk;
            } elseif (feof($p)) {
                fclose($p);
                unset($open[$n]);
            }
        }
    }
    return [proc_close($proc), $out[0], $out[1]];
}

/**
 * Converts one uploaded file and publishes the tone. Returns what the page shows:
 * ['ok' => bool, 'status' => HTTP status, 'message' => text, 'id', 'md5', 'bytes', 'warnings',
 * 'entry' => the tone's ringtones.xml line].
 */
function convert_upload(array $upload, string $wantedId, string $display, array $config): array
{
    if (($upload['error'] ?? UPLOAD_ERR_NO_FILE) !== UPLOAD_ERR_OK || !is_uploaded_file($upload['tmp_name'])) {
        return ['ok' => false, 'status' => 400, 'message' => 'No file was uploaded.'];
    }
    if ($upload['size'] > MAX_UPLOAD_BYTES) {
        return ['ok' => false, 'status' => 413, 'message' => 'The file is larger than 50 MB.'];
    }
    $ext = strtolower(pathinfo((string) $upload['name'], PATHINFO_EXTENSION));
    if (!in_array($ext, ALLOWED_EXTENSIONS, true)) {
        return ['ok' => false, 'status' => 415, 'message' =>
            'Upload WAV, MP3, FLAC, Ogg Vorbis, M4A/AAC or AIFF audio (not "' . $ext . '").'];
    }
    $id = tone_id($wantedId !== '' ? $wantedId : pathinfo((string) $upload['name'], PATHINFO_FILENAME));
    if ($id === null) {
        return ['ok' => false, 'status' => 400, 'message' =>
            'Give the tone a name of letters and digits (for example front-desk).'];
    }
    $display = trim($display) !== '' ? trim($display) : $id;

    $in = make_temp_dir('ringforge-upload-');
    $out = make_temp_dir('ringforge-out-');
    try {
        $source = $in . DIRECTORY_SEPARATOR . $id . '.' . $ext;
        if (!move_uploaded_file($upload['tmp_name'], $source)) {
            throw new RuntimeException('cannot read the upload');
        }
        [$code, $stdout, $stderr] = run_command([
            $config['binary'], 'convert', $source,
            '--output', $out,
            '--report', 'json',
            '--quiet',
            '--normalize', 'loudness',
            '--manifests', 'xml',
            '--no-builtin-tones',
            '--url-prefix', $config['url_prefix'],
            '--display', $id . '=' . $display,
        ], CONVERT_SECONDS);
        $report = json_decode($stdout, true);
        $file = $report['files'][0] ?? null;
        if (!is_array($file)) {
            $why = trim($stderr) !== '' ? trim($stderr) : "ringforge exited with status $code";
            return ['ok' => false, 'status' => 500, 'message' => $why];
        }
        if ($file['status'] === 'failed') {
            return ['ok' => false, 'status' => 422, 'message' => (string) $file['error']];
        }
        // Publish atomically: copy next to the target, then rename over it.
        $target = $config['tones_dir'] . DIRECTORY_SEPARATOR . $id . '.sln';
        $partial = $config['tones_dir'] . DIRECTORY_SEPARATOR . '.' . $id . '.sln.' . bin2hex(random_bytes(4));
        if (!copy($file['output'], $partial) || !rename($partial, $target)) {
            @unlink($partial);
            throw new RuntimeException('cannot write the tone into the tones folder');
        }
        $xml = (string) file_get_contents($out . DIRECTORY_SEPARATOR . 'ringtones.xml');
        $entry = '';
        foreach (explode("\n", $xml) as $line) {
            if (str_contains($line, '<tone ') && str_contains($line, 'id="' . $id . '"')) {
                $entry = trim($line);
            }
        }
        return [
            'ok' => true,
            'status' => 200,
            'message' => "Converted to $id.sln",
            'id' => $id,
            'display' => $display,
            'md5' => (string) $file['md5'],
            'bytes' => (int) $file['bytes'],
            'seconds' => (float) $file['duration_seconds'],
            'warnings' => array_map('strval', $file['warnings_text'] ?? []),
            'entry' => $entry,
        ];
    } catch (RuntimeException $e) {
        return ['ok' => false, 'status' => 500, 'message' => $e->getMessage()];
    } finally {
        remove_tree($in);
        remove_tree($out);
    }
}

function render_page(?array $result): string
{
    $body = '';
    if ($result !== null) {
        if ($result['ok']) {
            $body .= '<p class="ok">' . h($result['message']) . ': ' . h((string) $result['bytes'])
                . ' bytes, ' . h(sprintf('%.2f', $result['seconds'])) . ' s, md5 <code id="md5">'
                . h($result['md5']) . '</code>, shown as <b id="display">' . h($result['display']) . '</b></p>';
            foreach ($result['warnings'] as $w) {
                $body .= '<p class="warning">' . h($w) . '</p>';
            }
            $body .= '<p>Its entry in ringtones.xml:</p><pre id="entry">' . h($result['entry']) . '</pre>';
        } else {
            $body .= '<p class="error" id="error">' . h($result['message']) . '</p>';
        }
    }
    return <<<HTML
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ringtones</title></head><body>
<h1>Upload a ringtone</h1>
$body
<form method="post" enctype="multipart/form-data">
  <label>Audio file <input type="file" name="audio" required></label>
  <label>Tone id <input type="text" name="id" placeholder="front-desk"></label>
  <label>Name on the phone <input type="text" name="display" placeholder="Front Desk"></label>
  <button>Convert</button>
</form>
</body></html>

HTML;
}

if (PHP_SAPI !== 'cli') {
    $config = [
        'binary' => getenv('RINGFORGE_BIN') ?: '/usr/local/bin/ringforge',
        'tones_dir' => getenv('RINGFORGE_TONES_DIR') ?: '/var/www/html/digium_phones',
        'url_prefix' => getenv('RINGFORGE_URL_PREFIX') ?: 'http://pbx.example.com/digium_phones/',
    ];
    $result = null;
    if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
        $result = convert_upload($_FILES['audio'] ?? [], (string) ($_POST['id'] ?? ''),
            (string) ($_POST['display'] ?? ''), $config);
        http_response_code($result['status']);
    }
    header('Content-Type: text/html; charset=utf-8');
    echo render_page($result);
}
