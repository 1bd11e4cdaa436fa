#version 330 core
// transformTOP: each output pixel samples the input where the inverse
// transform puts it. Coordinates are in units of the image height,
// centred, so rotation keeps shapes round.
in vec2 vUV;
uniform sampler2D uInput;
uniform vec2 uT, uS, uP;   // translate, scale, pivot (pivot 0 = centre)
uniform float uRotate;     // degrees, counter-clockwise
uniform float uAspect;     // width / height
out vec4 fragColor;
void main() {
    vec2 p = (vUV - 0.5) * vec2(uAspect, 1.0);
    p -= uT + uP;
    float r = radians(-uRotate);
    p = mat2(cos(r), sin(r), -sin(r), cos(r)) * p;
    p /= uS;
    p += uP;
    fragColor = texture(uInput, p / vec2(uAspect, 1.0) + 0.5);
}
