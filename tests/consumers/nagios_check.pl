#!/usr/bin/perl
# Reads supportctl's Nagios plugin output as Monitoring::Plugin::Performance
# (the Perl library check plugins and graphers use) and checks the limits
# consumers impose: the first line fits NRPE's 1,024 bytes, every perfdata
# item (first line and long text) parses, and labels are unique within the
# 19 characters RRD-based graphers keep.
#
# usage: nagios_check.pl OUTPUT EXPECTED_ITEMS
use strict;
use warnings;
use Monitoring::Plugin::Performance use_die => 1;

my ($file, $expected) = @ARGV;
open my $fh, '<', $file or die "$file: $!";
my @lines = <$fh>;
chomp @lines;
my $first = shift @lines;
die "first line is " . length($first) . " bytes, over 1023 (1024 with its newline)\n" if length($first) > 1023;
my ($status, $perf) = split /\|/, $first, 2;
my @perf = (defined $perf ? $perf : '');
my $in_perf = 0;
for my $line (@lines) {
    if ($in_perf) { push @perf, $line; next }
    if ($line =~ /\|(.*)$/) { push @perf, $1; $in_perf = 1 }
}
my @items = Monitoring::Plugin::Performance->parse_perfstring(join ' ', @perf);
die "parsed " . scalar(@items) . " perfdata items, expected $expected\n" unless @items == $expected;
my %seen;
for my $p (@items) {
    my $key = substr($p->label, 0, 19);
    die "labels collide within 19 characters: $key\n" if $seen{$key}++;
}
print "nagios ok: ", length($first), " bytes, ", scalar(@items), " items\n";
