#!/usr/bin/perl
# rainv from Perl through the C ABI (FFI::Platypus, as a SpamAssassin, amavis or MIMEDefang
# plugin would call it): judge one file and print rainv's JSON lines; the exit status is
# rainv's.
#
#   perl check.pl path/to/librainv.so FILE [NOW]
use strict;
use warnings;
use FFI::Platypus 2.00;
use FFI::Platypus::Buffer qw(scalar_to_buffer);

my ($lib, $path, $now) = @ARGV;
my $ffi = FFI::Platypus->new(api => 2, lib => [$lib]);
$ffi->attach(rainv_free => ['opaque'] => 'void');
$ffi->attach(rainv_check =>
    ['opaque', 'size_t', 'string', 'string', 'opaque', 'string', 'opaque*', 'opaque*'] => 'int');

open(my $fh, '<:raw', $path) or die "cannot read $path: $!";
my $data = do { local $/; <$fh> };
close($fh);

# The bytes as rainv reads them: a pointer to Perl's buffer, with its length.
my ($pointer, $size) = scalar_to_buffer($data);
my ($json, $error);
# NULL password (undef), NULL policy (the defaults).
my $status = rainv_check($pointer, $size, $path, undef, undef, $now, \$json, \$error);
# Every string rainv gives is copied into Perl, then freed with rainv_free.
print $ffi->cast('opaque' => 'string', $json) if $json;
print STDERR 'error: ', $ffi->cast('opaque' => 'string', $error), "\n" if $error;
rainv_free($json) if $json;
rainv_free($error) if $error;
exit $status;
